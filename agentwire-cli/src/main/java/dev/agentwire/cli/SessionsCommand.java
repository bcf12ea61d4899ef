package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code aw sessions}: the hub's sessions. */
@Command(name = "sessions", mixinStandardHelpOptions = true, description = "List the hub's sessions.")
final class SessionsCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (AgentwireClient c = client.connect("aw-sessions")) {
            JsonNode list = c.request("sessions/list").get();
            if (client.json) {
                ClientOptions.printJson(out, list);
            } else {
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
            out.flush();
        }
        return ExitCodes.OK;
    }
}
