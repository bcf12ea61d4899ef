package dev.agentwire.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Runs the harness with few iterations: it must compile the C floor, measure every subject and print the table. */
class RoundTripBenchTest {

    @Test
    void printsTheTableForEverySubject() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "needs a C compiler (gcc) for the floor");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ObjectNode report = RoundTripBench.run(300, 100, "cc", new PrintStream(buf, true, StandardCharsets.UTF_8));
        String table = buf.toString(StandardCharsets.UTF_8);
        assertThat(table)
                .contains(
                        "c-uds-floor",
                        "java-nio-uds",
                        "hub-ping-uds",
                        "hub-ping-tcp",
                        "tool-call-uds",
                        "tool-call-ws",
                        "p50 ÷ C");
        assertThat(report.path("concurrentToolCallsPerSecond").asDouble()).isPositive();
        assertThat(report.path("fanOutDeliveriesPerSecond").asDouble()).isPositive();
        assertThat(report.path("ackedPublishesPerSecond16").asDouble()).isPositive();
        assertThat(table).contains("deliveries/s");
        assertThat(table).contains("service-uds", "service-http", "services (raw sockets)");
        assertThat(table).contains("terminal output to 5 ipc.sock viewers");
        assertThat(report.path("terminalMegabytesPerSecond").asDouble()).isPositive();
        for (String key : new String[] {"services-java-clients", "services-thin-clients"}) {
            assertThat(report.path(key).path("requestsPerSecond").asDouble())
                    .as(key)
                    .isPositive();
            assertThat(report.path(key).path("p99Nanos").asLong())
                    .as(key)
                    .isGreaterThanOrEqualTo(report.path(key).path("p50Nanos").asLong());
        }
        if (Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
            assertThat(report.path("redisFanOutDeliveriesPerSecond").asDouble()).isPositive();
            assertThat(report.path("services-java-clients")
                            .path("redisRequestsPerSecond")
                            .asDouble())
                    .isPositive();
            assertThat(report.path("services-thin-clients")
                            .path("redisRequestsPerSecond")
                            .asDouble())
                    .isPositive();
        }
        for (String subject : new String[] {
            "c-uds-floor",
            "java-nio-uds",
            "hub-ping-uds",
            "hub-ping-tcp",
            "tool-call-uds",
            "tool-call-ws",
            "service-uds",
            "service-http"
        }) {
            var s = report.path("subjects").path(subject);
            assertThat(s.path("p50Nanos").asLong()).as(subject).isPositive();
            assertThat(s.path("p99Nanos").asLong())
                    .as(subject)
                    .isGreaterThanOrEqualTo(s.path("p50Nanos").asLong());
            assertThat(s.path("roundTripsPerSecond").asDouble()).as(subject).isPositive();
        }
        assertThat(report.path("subjects")
                        .path("c-uds-floor")
                        .path("p50RatioToCFloor")
                        .asDouble())
                .isEqualTo(1.0);
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
    }
}
