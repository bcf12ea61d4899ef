package dev.agentwire.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The harness: interleaved rounds, per-round ratios, and every probe against the real hub and its baselines. */
class BenchCommandTest {

    @Test
    void roundsInterleaveTheProbes() throws Exception {
        List<String> order = new ArrayList<>();
        Probe a = probe("a", order);
        Probe b = probe("b", order);
        Map<String, List<Measure>> m = new Harness(List.of(a, b), 3, Harness.Progress.none()).run(null);
        assertThat(order).containsExactly("a", "b", "a", "b", "a", "b");
        assertThat(m.get("a")).hasSize(3);
    }

    @Test
    void aFigureIsTheMedianOfItsPerRoundRatiosNotARatioOfMedians() {
        Map<String, List<Measure>> m = new LinkedHashMap<>();
        m.put("s", List.of(rate("s", 10), rate("s", 40), rate("s", 30)));
        m.put("b", List.of(rate("b", 5), rate("b", 20), rate("b", 30)));
        Report r = new Report(m, List.of(Figure.atLeast("s ÷ b", "s", "b", 1.8)), 3, "test");
        Report.Row row = r.rows().get(0);
        assertThat(row.values()).containsExactly(2.0, 2.0, 1.0);
        assertThat(row.median()).isEqualTo(2.0); // the ratio of the medians would be 30 / 20 = 1.5
        assertThat(row.min()).isEqualTo(1.0);
        assertThat(row.max()).isEqualTo(2.0);
        assertThat(row.verdict()).isEqualTo("met");
        Report.Row missing = new Report(m, List.of(Figure.atMost("x", "nobody", "b", 1)), 3, "test")
                .rows()
                .get(0);
        assertThat(missing.verdict()).isEqualTo("not measured");
    }

    @Test
    void statsUseTheSameRankRuleAsTheCProgram() {
        long[] samples = new long[1000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = 1000 - i;
        }
        Stats s = Stats.of(samples, 1_000_000_000L);
        assertThat(s.p50Nanos()).isEqualTo(500);
        assertThat(s.p99Nanos()).isEqualTo(990);
        assertThat(s.p999Nanos()).isEqualTo(999);
        assertThat(s.roundTripsPerSecond()).isEqualTo(1000.0);
        assertThat(s.histogram().getTotalCount()).isEqualTo(1000);
    }

    @Test
    void everyProbeMeasuresAgainstTheRealHubAndItsBaselines() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "needs a C compiler (gcc) for the floors");
        Report report = BenchCommand.run(BenchContext.Sizes.scaled(300), 2, null, "cc", Harness.Progress.none());
        JsonNode j = report.json();
        List<String> required = new ArrayList<>(List.of(
                "hub/ping p50, Java client ÷ C floor",
                "hub/ping p50, C client ÷ C floor",
                "tool call p50 (UDS) ÷ C relay",
                "hub/ping p50, blocking client ÷ C floor",
                "tool call p50, blocking + I/O thread ÷ C relay",
                "acked publishes, 16 publishers ÷ plain JDBC",
                "terminal, vtebench-like mix ÷ via PTY",
                "services 3×50 raw, p99 ms",
                "terminal to 5 viewers ÷ cat via PTY",
                "C relay ÷ C floor"));
        if (Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
            required.add("services 3×50 raw ÷ Redis lists");
            required.add("room fan-out ÷ Redis pub/sub");
        }
        if (Files.isExecutable(Nats.SERVER)) {
            required.add("room fan-out ÷ nats-server");
            required.add("services 3×50 raw ÷ nats-server");
        }
        for (String figure : required) {
            JsonNode f = find(j, figure);
            assertThat(f.path("perRound")).as(figure).hasSize(2);
            assertThat(f.path("median").asDouble()).as(figure).isPositive();
        }
        for (String latency : new String[] {"c-floor", "c-relay", "hub-ping-uds", "hub-ping-c", "tool-call-uds"}) {
            JsonNode l = j.path("latencyNanos").path(latency);
            assertThat(l.path("count").asLong()).as(latency).isEqualTo(600);
            assertThat(l.path("p99").asLong())
                    .as(latency)
                    .isGreaterThanOrEqualTo(l.path("p50").asLong());
        }
        var table = new java.io.StringWriter();
        report.printTable(new java.io.PrintWriter(table, true));
        assertThat(table.toString()).contains("2 interleaved rounds", "hub/ping p50, C client ÷ C floor", "p99.9 µs");
        String html = PercentileChart.html(report);
        assertThat(html).contains("<svg", "<polyline", "hub-ping-uds", "99.9%");
    }

    @Test
    void theCommandLineRefusesBadInputAndWritesJsonAndHtml(@TempDir Path dir) throws Exception {
        assertThat(execute("--rounds", "0").code).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(execute("--rounds", "0").err).contains("--rounds must be at least 1");
        assertThat(execute("--rounds", "x").code).isEqualTo(CommandLine.ExitCode.USAGE);
        Run unknown = execute("--only", "nosuch", "--rounds", "1");
        assertThat(unknown.code).isNotZero();
        assertThat(unknown.err).contains("unknown probe(s) [nosuch]", "c-floor");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "needs a C compiler (gcc) for the floors");
        Path html = dir.resolve("out/bench.html");
        Run ok = execute(
                "--only",
                "c-floor,hub-ping-uds",
                "--rounds",
                "2",
                "--iterations",
                "200",
                "--json",
                "--html",
                html.toString());
        assertThat(ok.code).as(ok.err).isZero();
        JsonNode j = Json.mapper().readTree(ok.out);
        assertThat(find(j, "hub/ping p50, Java client ÷ C floor").path("perRound"))
                .hasSize(2);
        assertThat(find(j, "tool call p50 (UDS) ÷ C relay").has("median")).isFalse();
        assertThat(Files.readString(html)).contains("<svg", "c-floor");
        assertThat(Set.of(j.path("rounds").asInt())).containsExactly(2);
    }

    private record Run(int code, String out, String err) {}

    private static Run execute(String... args) {
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static JsonNode find(JsonNode report, String figure) {
        for (JsonNode f : report.path("figures")) {
            if (f.path("figure").asText().equals(figure)) {
                return f;
            }
        }
        throw new AssertionError("no figure " + figure + " in " + report);
    }

    private static Measure rate(String name, double v) {
        return Measure.rate(name, v);
    }

    private static Probe probe(String name, List<String> order) {
        return new Probe() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Measure> run(BenchContext context) {
                order.add(name);
                return List.of(Measure.rate(name, 1));
            }
        };
    }
}
