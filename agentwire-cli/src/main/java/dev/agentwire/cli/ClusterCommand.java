package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code aw cluster}: the hubs of the cluster this hub is in, their heartbeats, and Redis. */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "The cluster's hubs and their heartbeats, and Redis's state and latency (--json for all of it).")
final class ClusterCommand extends HubCall {

    @Override
    Ask prepare() {
        return request("hub/cluster");
    }

    @Override
    void printText(PrintWriter out, JsonNode c) {
        if (!c.path("enabled").asBoolean()) {
            out.println("this hub is alone (no cluster.redis; see docs/CLUSTER.md)");
            return;
        }
        out.printf(
                "this hub %s: %s%s%n",
                c.path("hub").asText(),
                c.path("state").asText("up"),
                c.has("reason") ? " (" + c.path("reason").asText() + ")" : "");
        JsonNode r = c.path("redis");
        out.printf(
                "redis %s: %s%s%n",
                r.path("uri").asText(),
                r.path("state").asText(),
                r.has("latencyMs")
                        ? String.format(" (ping %.3f ms)", r.path("latencyMs").asDouble())
                        : "");
        if (r.has("error")) {
            out.printf("  %s%n", r.path("error").asText());
        }
        if (r.has("heartbeatError")) {
            out.printf("  heartbeat: %s%n", r.path("heartbeatError").asText());
        }
        out.printf("%-40s %14s%n", "HUB", "LAST BEAT");
        for (JsonNode h : c.path("hubs")) {
            out.printf(
                    "%-40s %11d ms%s%n",
                    h.path("hub").asText(),
                    h.path("lastBeatMsAgo").asLong(),
                    h.path("self").asBoolean() ? "  (this hub)" : "");
        }
    }
}
