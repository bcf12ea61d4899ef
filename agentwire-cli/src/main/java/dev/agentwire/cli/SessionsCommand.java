package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code aw sessions}: the hub's sessions. */
@Command(name = "sessions", mixinStandardHelpOptions = true, description = "List the hub's sessions.")
final class SessionsCommand extends HubCall {

    @Override
    Ask prepare() {
        return request("sessions/list");
    }

    @Override
    void printText(PrintWriter out, JsonNode list) {
        out.printf("%-34s %-16s %8s %6s%n", "SESSION", "NAME", "MEMBERS", "TOOLS");
        for (JsonNode s : list.path("sessions")) {
            out.printf(
                    "%-34s %-16s %8d %6d%n",
                    s.path("sessionId").asText(),
                    s.path("name").asText(),
                    s.path("members").asInt(),
                    s.path("tools").asInt());
        }
    }
}
