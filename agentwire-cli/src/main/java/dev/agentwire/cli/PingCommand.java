package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aw ping}: round trips of {@code hub/ping}. */
@Command(name = "ping", mixinStandardHelpOptions = true, description = "Send hub/ping and print round-trip times.")
final class PingCommand extends HubCall {

    @Option(
            names = {"-n", "--count"},
            paramLabel = "N",
            defaultValue = "5",
            description = "pings to send (default: ${DEFAULT-VALUE})")
    int count;

    @Option(
            names = {"-i", "--interval"},
            paramLabel = "MS",
            defaultValue = "0",
            description = "pause between pings (default: ${DEFAULT-VALUE} ms)")
    long intervalMs;

    @Option(
            names = {"-q", "--quiet"},
            description = "print only the summary")
    boolean quiet;

    /** Pings, printing each reply unless --json or --quiet; the answer is the summary. */
    @Override
    Ask prepare() {
        if (count < 1) {
            throw usage("--count must be at least 1, got " + count);
        }
        PrintWriter out = out();
        boolean replies = !client.json && !quiet;
        return hub -> {
            double[] micros = new double[count];
            if (replies) {
                out.printf("PING %s (hub/ping)%n", hub.endpoint());
            }
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                hub.request("hub/ping").get();
                micros[i] = (System.nanoTime() - start) / 1000.0;
                if (replies) {
                    out.printf(Locale.ROOT, "reply %d: time=%.1f µs%n", i + 1, micros[i]);
                    out.flush();
                }
                if (intervalMs > 0 && i + 1 < count) {
                    TimeUnit.MILLISECONDS.sleep(intervalMs);
                }
            }
            double[] sorted = micros.clone();
            Arrays.sort(sorted);
            ObjectNode j = Json.mapper().createObjectNode();
            j.put("endpoint", hub.endpoint().toString());
            j.put("count", count);
            j.put("minMicros", sorted[0]);
            j.put("avgMicros", Arrays.stream(micros).average().orElse(0));
            j.put("p50Micros", percentile(sorted, 50));
            j.put("p99Micros", percentile(sorted, 99));
            j.put("maxMicros", sorted[count - 1]);
            var all = j.putArray("rttMicros");
            for (double m : micros) {
                all.add(m);
            }
            return j;
        };
    }

    /** On one line, not indented, as {@code aw ping --json} has always printed it. */
    @Override
    void printJson(PrintWriter out, JsonNode summary) throws IOException {
        out.println(Json.mapper().writeValueAsString(summary));
    }

    @Override
    void printText(PrintWriter out, JsonNode s) {
        out.printf("--- %s: %d pings ---%n", s.path("endpoint").asText(), count);
        out.printf(
                Locale.ROOT,
                "rtt min/avg/p50/p99/max = %.1f/%.1f/%.1f/%.1f/%.1f µs%n",
                s.path("minMicros").asDouble(),
                s.path("avgMicros").asDouble(),
                s.path("p50Micros").asDouble(),
                s.path("p99Micros").asDouble(),
                s.path("maxMicros").asDouble());
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
