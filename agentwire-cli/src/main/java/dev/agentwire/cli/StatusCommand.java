package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;

/** {@code aw status}: what the hub is doing. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the running hub's status.")
final class StatusCommand extends HubCall {

    @Override
    Ask prepare() {
        return request("hub/status");
    }

    @Override
    void printText(PrintWriter out, JsonNode s) {
        out.printf(
                "agentwire hub %s (pid %d), up %s%n",
                s.path("version").asText(),
                s.path("pid").asLong(),
                human(s.path("uptimeMs").asLong()));
        out.printf("  socket       %s%n", s.path("sockets").path("hub").asText());
        if (s.has("port")) {
            out.printf("  tcp          127.0.0.1:%d%n", s.path("port").asInt());
        }
        out.printf("  home         %s%n", s.path("home").asText());
        JsonNode conns = s.path("connections");
        out.printf(
                "  connections  %d (unix %d, tcp %d)%n",
                conns.path("total").asInt(),
                conns.path("unix").asInt(),
                conns.path("tcp").asInt());
        out.printf("  in flight    %d%n", s.path("inflight").asInt());
        JsonNode cluster = s.path("cluster");
        if (cluster.isObject()) {
            out.printf(
                    "  cluster      hub %s on %s: %s, %d hubs live%s%n",
                    cluster.path("hub").asText(),
                    cluster.path("redis").asText(),
                    cluster.path("state").asText("up"),
                    cluster.path("hubs").asInt(),
                    cluster.has("reason") ? " (" + cluster.path("reason").asText() + ")" : "");
        }
    }

    static String human(long ms) {
        Duration d = Duration.ofMillis(ms);
        if (d.toHours() > 0) {
            return d.toHours() + "h " + d.toMinutesPart() + "m";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m " + d.toSecondsPart() + "s";
        }
        return d.toSeconds() + "." + String.format("%03d", d.toMillisPart()) + "s";
    }
}
