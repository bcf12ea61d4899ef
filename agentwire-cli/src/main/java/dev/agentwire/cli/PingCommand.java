package dev.agentwire.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code aw ping}: round trips of {@code hub/ping}. */
@Command(name = "ping", mixinStandardHelpOptions = true, description = "Send hub/ping and print round-trip times.")
final class PingCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (AgentwireClient c = client.connect("aw-ping")) {
            double[] micros = new double[count];
            if (!client.json && !quiet) {
                out.printf("PING %s (hub/ping)%n", c.endpoint());
            }
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                c.request("hub/ping").get();
                micros[i] = (System.nanoTime() - start) / 1000.0;
                if (!client.json && !quiet) {
                    out.printf(Locale.ROOT, "reply %d: time=%.1f µs%n", i + 1, micros[i]);
                    out.flush();
                }
                if (intervalMs > 0 && i + 1 < count) {
                    TimeUnit.MILLISECONDS.sleep(intervalMs);
                }
            }
            double[] sorted = micros.clone();
            Arrays.sort(sorted);
            double avg = Arrays.stream(micros).average().orElse(0);
            if (client.json) {
                ObjectNode j = Json.mapper().createObjectNode();
                j.put("endpoint", c.endpoint().toString());
                j.put("count", count);
                j.put("minMicros", sorted[0]);
                j.put("avgMicros", avg);
                j.put("p50Micros", percentile(sorted, 50));
                j.put("p99Micros", percentile(sorted, 99));
                j.put("maxMicros", sorted[count - 1]);
                var all = j.putArray("rttMicros");
                for (double m : micros) {
                    all.add(m);
                }
                out.println(Json.mapper().writeValueAsString(j));
            } else {
                out.printf("--- %s: %d pings ---%n", c.endpoint(), count);
                out.printf(
                        Locale.ROOT,
                        "rtt min/avg/p50/p99/max = %.1f/%.1f/%.1f/%.1f/%.1f µs%n",
                        sorted[0],
                        avg,
                        percentile(sorted, 50),
                        percentile(sorted, 99),
                        sorted[count - 1]);
            }
            out.flush();
        }
        return ExitCodes.OK;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
