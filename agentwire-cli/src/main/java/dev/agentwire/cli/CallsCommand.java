package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aw calls}: the hub's call log (needs {@code admin}). */
@Command(
        name = "calls",
        mixinStandardHelpOptions = true,
        description = {
            "Show the hub's call log: recorded tool calls and service requests, newest first.",
            "Secret-looking arguments are recorded as [redacted]. Needs the admin scope."
        })
final class CallsCommand extends HubCall {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Option(names = "--tool", paramLabel = "T", description = "only calls of this tool")
    String tool;

    @Option(names = "--service", paramLabel = "S", description = "only requests to this service")
    String service;

    @Option(names = "--caller", paramLabel = "NAME", description = "only calls by this connection name or identity")
    String caller;

    @Option(
            names = "--since",
            paramLabel = "WHEN",
            description = "only calls since then: a duration back (10m, 2h, 1d) or epoch milliseconds")
    String since;

    @Option(names = "--limit", paramLabel = "N", description = "at most N calls (default 100, at most 1000)")
    Integer limit;

    @Override
    Ask prepare() {
        ObjectNode p = Json.mapper().createObjectNode();
        if (tool != null) {
            p.put("tool", tool);
        }
        if (service != null) {
            p.put("service", service);
        }
        if (caller != null) {
            p.put("caller", caller);
        }
        if (since != null) {
            p.put("since", since);
        }
        if (limit != null) {
            if (limit < 1 || limit > 1000) {
                throw usage("--limit must be from 1 to 1000, got " + limit);
            }
            p.put("limit", limit);
        }
        return request("calls/list", p);
    }

    @Override
    void printText(PrintWriter out, JsonNode answer) {
        JsonNode calls = answer.path("calls");
        if (calls.isEmpty()) {
            out.println(answer.path("enabled").asBoolean(true) ? "no recorded calls" : "the call log is off");
            return;
        }
        out.printf(
                "%-6s %-14s %-7s %-28s %-16s %-10s %7s %8s  %s%n",
                "ID", "AT", "KIND", "TARGET", "CALLER", "SESSION", "MS", "BYTES", "RESULT");
        for (JsonNode c : calls) {
            JsonNode error = c.path("error");
            out.printf(
                    "%-6d %-14s %-7s %-28s %-16s %-10s %7d %8d  %s%n",
                    c.path("id").asLong(),
                    TIME.format(Instant.ofEpochMilli(c.path("at").asLong())),
                    c.path("kind").asText(),
                    cut(c.path("target").asText(), 28),
                    cut(c.path("caller").asText(), 16),
                    cut(c.path("session").asText(), 10),
                    c.path("durationMs").asLong(),
                    c.path("resultBytes").asLong(),
                    error.isObject()
                            ? "error " + error.path("code").asInt() + ": "
                                    + Tty.printable(error.path("message").asText())
                            : "ok" + (c.path("redacted").asBoolean() ? " (redacted)" : ""));
        }
    }

    private static String cut(String text, int width) {
        String s = Tty.printable(text);
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
}
