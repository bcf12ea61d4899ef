package dev.agentwire.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.calls.CallQuery;
import dev.agentwire.core.calls.CallRecord;
import dev.agentwire.core.calls.CallWriter;
import dev.agentwire.core.calls.Redactor;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The call log's table in hub.db, and the writer that fills and prunes it. */
class SqliteCallStoreTest {

    private static final CallQuery ALL = new CallQuery(
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 1000);

    private static CallRecord at(long at, String target) {
        return new CallRecord(
                0,
                at,
                CallRecord.TOOL,
                "default",
                "c",
                "uid:1",
                target,
                Json.mapper().createObjectNode(),
                false,
                false,
                1,
                2,
                Optional.of("ab"),
                Optional.empty());
    }

    private static CallWriter.Ended ended(long at, String target) {
        return new CallWriter.Ended(
                at,
                CallRecord.TOOL,
                "default",
                "c",
                "uid:1",
                target,
                Json.mapper().createObjectNode(),
                1,
                Optional.of((JsonNode) Json.mapper().getNodeFactory().textNode("r")),
                Optional.empty());
    }

    @Test
    void pruningDropsTheOldAndTheManyAndIdsKeepGrowingAcrossReopens() throws Exception {
        Path file = TestHubs.shortTempDir().resolve("hub.db");
        long now = 10_000_000;
        try (SqliteCallStore s = SqliteCallStore.open(file)) {
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            List<CallRecord> stored =
                    s.insert(List.of(at(now - 7_200_000, "old"), at(now - 10, "a"), at(now - 5, "b"), at(now, "c")));
            assertThat(stored).extracting(CallRecord::id).containsExactly(1L, 2L, 3L, 4L);
            assertThat(s.prune(100, now - 3_600_000, Long.MAX_VALUE))
                    .as("by age")
                    .isEqualTo(1);
            assertThat(s.list(ALL)).extracting(CallRecord::target).containsExactly("c", "b", "a");
            assertThat(s.prune(2, 0, Long.MAX_VALUE)).as("by rows").isEqualTo(1);
            assertThat(s.list(ALL)).extracting(CallRecord::target).containsExactly("c", "b");
            s.prune(0, 0, Long.MAX_VALUE);
            assertThat(s.list(ALL)).isEmpty();
        }
        try (SqliteCallStore s = SqliteCallStore.open(file)) {
            assertThat(s.insert(List.of(at(now, "d"))).get(0).id())
                    .as("a pruned id is never given again")
                    .isEqualTo(5);
        }
    }

    @Test
    void pruningKeepsTheNewestThatFitInTheByteBound() throws Exception {
        Path file = TestHubs.shortTempDir().resolve("hub.db");
        try (SqliteCallStore s = SqliteCallStore.open(file)) {
            List<CallRecord> big = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                big.add(at(1000 + i, "t" + i + "x".repeat(1000)));
            }
            s.insert(big);
            assertThat(s.prune(100, 0, Long.MAX_VALUE))
                    .as("nothing over any bound")
                    .isZero();
            // Each record takes a little over 1000 characters: 3500 keeps the newest three.
            assertThat(s.prune(100, 0, 3500)).isEqualTo(7);
            assertThat(s.list(ALL)).extracting(r -> r.target().substring(0, 2)).containsExactly("t9", "t8", "t7");
            // The total is kept up to date by inserts: one more pushes the oldest out.
            s.insert(List.of(at(2000, "u" + "x".repeat(1000))));
            assertThat(s.prune(100, 0, 3500)).isEqualTo(1);
            assertThat(s.list(ALL)).extracting(r -> r.target().substring(0, 2)).containsExactly("ux", "t9", "t8");
        }
    }

    @Test
    void theWriterPrunesByAgeOnItsClock() throws Exception {
        Path file = TestHubs.shortTempDir().resolve("hub.db");
        AtomicLong clock = new AtomicLong(1_000_000);
        List<CallRecord> told = new CopyOnWriteArrayList<>();
        try (CallWriter w = new CallWriter(
                        SqliteCallStore.open(file),
                        new Redactor(Redactor.DEFAULT_RULE, 1024),
                        new CallWriter.Retention(1000, 60_000, Long.MAX_VALUE),
                        10,
                        clock::get,
                        told::add)
                .start()) {
            w.offer(ended(clock.get(), "first"));
            await().atMost(Duration.ofSeconds(10)).until(() -> told.size() == 1);
            clock.addAndGet(120_000);
            w.offer(ended(clock.get(), "second"));
            await().atMost(Duration.ofSeconds(10)).until(() -> told.size() == 2);
            assertThat(w.list(ALL).get()).extracting(CallRecord::target).containsExactly("second");
            assertThat(w.pruned()).isEqualTo(1);
            assertThat(told.get(1).resultDigest())
                    .hasValueSatisfying(d -> assertThat(d).hasSize(64));
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() throws Exception {
        Path file = TestHubs.shortTempDir().resolve("hub.db");
        // Not started: nothing drains the queue.
        try (CallWriter w = new CallWriter(
                SqliteCallStore.open(file),
                new Redactor(Redactor.DEFAULT_RULE, 1024),
                new CallWriter.Retention(1000, 60_000, Long.MAX_VALUE),
                2,
                System::currentTimeMillis,
                r -> {})) {
            assertThat(w.offer(ended(1, "a"))).isTrue();
            assertThat(w.offer(ended(2, "b"))).isTrue();
            assertThat(w.offer(ended(3, "c"))).isFalse();
            assertThat(w.dropped()).isEqualTo(1);
            assertThat(w.queued()).isEqualTo(2);
        }
    }
}
