package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.core.calls.ResultDigest;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aw replay --from-log FILTER}: calls recorded tools again, as recorded, and says whose answers changed (by
 * the SHA-256 of the canonical result the log kept). A regression check for tools: exits 1 if any answer changed
 * or any selected call could not be replayed.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Call recorded tool calls again against today's providers and report which answers changed.",
            "FILTER selects calls of the log: tool=NAME, service=S, caller=NAME, id=N, since=10m, limit=N, joined"
                    + " with commas. Exits 1 if any answer changed or any call failed or was refused.",
            "Calls whose arguments were redacted are refused unless --allow-redacted; service requests are listed,"
                    + " not replayed."
        })
final class ReplayCommand extends HubCall {

    private static final Set<String> KEYS = Set.of("tool", "service", "caller", "id", "since", "limit");

    @Option(names = "--from-log", paramLabel = "FILTER", required = true, description = "which recorded calls")
    String filter;

    @Option(
            names = "--against",
            paramLabel = "SESSION",
            description = "the session whose providers answer (default: the default session)")
    String against;

    @Option(names = "--allow-redacted", description = "replay calls whose arguments were redacted, as recorded")
    boolean allowRedacted;

    @Override
    String session() {
        return against;
    }

    @Override
    Ask prepare() {
        ObjectNode query = parseFilter(filter);
        Duration timeout = client.timeout(Duration.ofSeconds(60));
        return hub -> {
            JsonNode calls = hub.request("calls/list", query).get().path("calls");
            List<JsonNode> oldestFirst = new ArrayList<>();
            calls.forEach(c -> oldestFirst.add(0, c));
            ObjectNode report = Json.mapper().createObjectNode();
            report.put("filter", filter);
            ArrayNode results = report.putArray("calls");
            int unchanged = 0;
            int changed = 0;
            int failed = 0;
            int skipped = 0;
            for (JsonNode c : oldestFirst) {
                ObjectNode r = replay(hub, c, timeout);
                results.add(r);
                switch (r.path("outcome").asText()) {
                    case "unchanged" -> unchanged++;
                    case "changed" -> changed++;
                    case "skipped" -> skipped++;
                    default -> failed++;
                }
            }
            report.put("unchanged", unchanged);
            report.put("changed", changed);
            report.put("failed", failed);
            report.put("skipped", skipped);
            return report;
        };
    }

    /** {@code tool=echo,since=10m} as {@code calls/list} params; a usage error names what is wrong. */
    private ObjectNode parseFilter(String text) {
        ObjectNode q = Json.mapper().createObjectNode();
        for (String part : text.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw usage("--from-log: '" + p + "' is not KEY=VALUE (keys: " + new TreeSet<>(KEYS) + ")");
            }
            String key = p.substring(0, eq).trim();
            String value = p.substring(eq + 1).trim();
            if (!KEYS.contains(key)) {
                throw usage("--from-log: unknown filter key '" + key + "'; known: " + new TreeSet<>(KEYS));
            }
            if (q.has(key)) {
                throw usage("--from-log: " + key + " is given twice");
            }
            if (key.equals("id") || key.equals("limit")) {
                try {
                    q.put(key, Long.parseLong(value));
                } catch (NumberFormatException e) {
                    throw usage("--from-log: " + key + " must be a whole number, got '" + value + "'");
                }
            } else {
                q.put(key, value);
            }
        }
        return q;
    }

    private ObjectNode replay(AgentwireClient hub, JsonNode c, Duration timeout) throws InterruptedException {
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("id", c.path("id").asLong());
        r.put("kind", c.path("kind").asText());
        r.put("target", c.path("target").asText());
        if (!c.path("kind").asText().equals("tool")) {
            return outcome(r, "skipped", "service requests are not replayed");
        }
        if (c.path("truncated").asBoolean()) {
            return outcome(r, "refused", "its arguments were cut short when recorded");
        }
        if (c.path("redacted").asBoolean() && !allowRedacted) {
            return outcome(
                    r,
                    "refused",
                    "its arguments were redacted when recorded; --allow-redacted replays them as recorded");
        }
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("name", c.path("target").asText());
        params.set("arguments", c.path("arguments"));
        params.put("timeoutMs", timeout.toMillis());
        JsonNode recordedError = c.path("error");
        try {
            JsonNode result = hub.request("tools/call", params, timeout.plusSeconds(5))
                    .get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            String digest = ResultDigest.of(result);
            r.put("digest", digest);
            if (recordedError.isObject()) {
                return outcome(
                        r,
                        "changed",
                        "it failed when recorded ("
                                + recordedError.path("message").asText() + ") and answers now");
            }
            boolean same = digest.equals(c.path("resultDigest").asText());
            return outcome(r, same ? "unchanged" : "changed", same ? "the same answer" : "a different answer");
        } catch (ExecutionException e) {
            String message = e.getCause() == null ? e.toString() : e.getCause().getMessage();
            if (e.getCause() instanceof RpcException rpc
                    && recordedError.isObject()
                    && recordedError.path("code").asInt() == rpc.code()) {
                return outcome(r, "unchanged", "the same error " + rpc.code());
            }
            return outcome(r, "failed", message);
        } catch (java.util.concurrent.TimeoutException e) {
            return outcome(r, "failed", "no answer within " + timeout.toMillis() + " ms");
        }
    }

    private static ObjectNode outcome(ObjectNode r, String outcome, String detail) {
        r.put("outcome", outcome);
        r.put("detail", detail);
        return r;
    }

    @Override
    void printText(PrintWriter out, JsonNode report) {
        if (report.path("calls").isEmpty()) {
            out.println("no recorded calls match " + report.path("filter").asText());
            return;
        }
        for (JsonNode r : report.path("calls")) {
            out.printf(
                    "#%-6d %-28s %-9s %s%n",
                    r.path("id").asLong(),
                    Tty.printable(r.path("target").asText()),
                    r.path("outcome").asText(),
                    Tty.printable(r.path("detail").asText()));
        }
        out.printf(
                "%d unchanged, %d changed, %d failed or refused, %d skipped%n",
                report.path("unchanged").asInt(),
                report.path("changed").asInt(),
                report.path("failed").asInt(),
                report.path("skipped").asInt());
    }

    /** 1 if any answer changed, any call failed or was refused, or no call matched. */
    @Override
    int done(JsonNode report) {
        boolean clean = report.path("changed").asInt() == 0
                && report.path("failed").asInt() == 0
                && report.path("unchanged").asInt() > 0;
        return clean ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
