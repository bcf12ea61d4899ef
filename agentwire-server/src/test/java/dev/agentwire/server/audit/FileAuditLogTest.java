package dev.agentwire.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.TestHubs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The audit file: JSON lines, 0600, rate-limited per kind of record, rotated at its size. */
class FileAuditLogTest {

    /** A clock the test moves. */
    private static final class StepClock extends Clock {
        final AtomicLong millis =
                new AtomicLong(Instant.parse("2026-12-02T00:00:00Z").toEpochMilli());

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(l -> {
                    try {
                        return Json.mapper().readTree(l);
                    } catch (IOException e) {
                        throw new AssertionError(l, e);
                    }
                })
                .toList();
    }

    @Test
    void aFloodOfRefusalsIsWrittenAtMostPerMinuteThenSummed() throws Exception {
        Path file = TestHubs.shortTempDir().resolve("audit.log");
        StepClock clock = new StepClock();
        FileAuditLog log = new FileAuditLog(file, 1 << 20, 10, clock).start();
        try {
            for (int i = 0; i < 500; i++) {
                log.record(
                        "connection_refused",
                        Json.mapper()
                                .createObjectNode()
                                .put("peer", "127.0.0.1:" + (40000 + i))
                                .put("reason", "x"));
            }
            log.record("login", Json.mapper().createObjectNode().put("subject", "alice"));
            clock.millis.addAndGet(61_000);
            log.record("login", Json.mapper().createObjectNode().put("subject", "bob"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.exists(file) && lines(file).size() == 13);
        } finally {
            log.close();
        }
        List<JsonNode> lines = lines(file);
        assertThat(lines.stream().filter(l -> l.path("event").asText().equals("connection_refused")))
                .as("one peer's refusals, whatever its port, are one kind")
                .hasSize(10);
        JsonNode suppressed = lines.get(11);
        assertThat(suppressed.path("event").asText()).isEqualTo("suppressed");
        assertThat(suppressed
                        .path("counts")
                        .path("connection_refused|x|127.0.0.1")
                        .asInt())
                .isEqualTo(490);
        assertThat(lines.get(12).path("subject").asText()).isEqualTo("bob");
        assertThat(lines.get(0).path("ts").asText()).isEqualTo("2026-12-02T00:00:00Z");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
    }

    @Test
    void theLogIsRotatedWhenItWouldPassItsSize() throws Exception {
        Path file = TestHubs.shortTempDir().resolve("audit.log");
        FileAuditLog log = new FileAuditLog(file, 4096, 1000, Clock.systemUTC()).start();
        try {
            for (int i = 0; i < 100; i++) {
                log.record("login", Json.mapper().createObjectNode().put("subject", "user-" + i));
            }
        } finally {
            log.close();
        }
        Path rotated = file.resolveSibling("audit.log.1");
        assertThat(Files.size(file)).isLessThanOrEqualTo(4096);
        assertThat(Files.size(rotated)).isLessThanOrEqualTo(4096);
        assertThat(lines(file).get(lines(file).size() - 1).path("subject").asText())
                .isEqualTo("user-99");
    }
}
