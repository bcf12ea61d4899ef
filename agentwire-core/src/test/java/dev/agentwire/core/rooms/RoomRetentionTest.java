package dev.agentwire.core.rooms;

import static dev.agentwire.core.rooms.RoomHubs.history;
import static dev.agentwire.core.rooms.RoomHubs.offsets;
import static dev.agentwire.core.rooms.RoomHubs.publish;
import static dev.agentwire.core.rooms.RoomHubs.range;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retention (docs/PROTOCOL.md, rooms): a room keeps its newest {@code maxMessages} for {@code maxAgeSeconds},
 * per-room overrides win (the first that matches), offsets are never reused, and publishing trims without
 * waiting for the minute timer.
 *
 * <p>The rooms stamp messages and compute the age cut-off with {@code System.currentTimeMillis()}, not the
 * injected ticker, so age is tested with a store that files messages as older than they are.
 */
class RoomRetentionTest {

    /** A {@link MemoryStore} that files each message {@link #age} older than it is. */
    static final class AgingStore implements Store {
        final MemoryStore inner = new MemoryStore();
        final AtomicLong age = new AtomicLong();

        void age(Duration d) {
            age.set(d.toMillis());
        }

        @Override
        public List<Stored> append(List<Append> batch) {
            long minus = age.get();
            return inner.append(batch.stream()
                    .map(a -> new Append(
                            a.room(), a.id(), a.from(), a.text(), a.data(), a.ts() - minus, a.clientMessageId()))
                    .toList());
        }

        @Override
        public RoomState room(String room) {
            return inner.room(room);
        }

        @Override
        public List<RoomState> rooms() {
            return inner.rooms();
        }

        @Override
        public List<Stored> after(String room, long afterOffset, int limit) {
            return inner.after(room, afterOffset, limit);
        }

        @Override
        public List<Stored> before(String room, long beforeOffset, int limit) {
            return inner.before(room, beforeOffset, limit);
        }

        @Override
        public void trim(String room, int maxMessages, long minTs) {
            inner.trim(room, maxMessages, minTs);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private HubCore core;

    @AfterEach
    void close() {
        core.close();
    }

    private TestPeer start(Store store, RoomSettings settings) {
        core = RoomHubs.hub(store, settings, Ticker.SYSTEM);
        return TestPeer.unix(core, 1001);
    }

    private static void publishAll(TestPeer p, String room, int n) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(publish(p, room, "m" + i));
        }
        ids.forEach(p::result);
    }

    private void trim() {
        core.require(RoomService.class).trimAll();
    }

    @Test
    void aRoomKeepsItsNewestMaxMessagesAndNeverReusesAnOffset() {
        TestPeer p = start(new MemoryStore(), RoomHubs.settings(10, 3600, 0, 10_000));
        publishAll(p, "r", 25);

        trim();

        JsonNode h = history(p, "r");
        assertThat(offsets(h.path("messages"))).isEqualTo(range(16, 25));
        assertThat(h.path("firstOffset").asLong()).isEqualTo(16);
        assertThat(h.path("offset").asLong()).isEqualTo(25);
        assertThat(p.result(publish(p, "r", "next")).path("offset").asLong()).isEqualTo(26);
    }

    @Test
    void perRoomRetentionWinsAndTheFirstMatchCounts() {
        RoomSettings d = RoomHubs.settings(100, 3600, 0, 10_000);
        RoomSettings settings = new RoomSettings(
                d.maxMessages(),
                d.maxAgeSeconds(),
                d.maxTextBytes(),
                d.maxRoomsPerConnection(),
                d.publishesPerMinute(),
                d.maxRecover(),
                List.of(
                        new RoomSettings.Retention("logs/debug", 1, 3600),
                        new RoomSettings.Retention("logs/*", 3, 3600)));
        TestPeer p = start(new MemoryStore(), settings);
        for (String room : List.of("logs/debug", "logs/info", "chat")) {
            publishAll(p, room, 8);
        }

        trim();

        assertThat(offsets(history(p, "logs/debug").path("messages"))).containsExactly(8L);
        assertThat(offsets(history(p, "logs/info").path("messages"))).containsExactly(6L, 7L, 8L);
        assertThat(offsets(history(p, "chat").path("messages"))).isEqualTo(range(1, 8));
    }

    @Test
    void publishingTrimsWithoutWaitingForTheTimer() {
        TestPeer p = start(new MemoryStore(), RoomHubs.settings(10, 3600, 0, 10_000));

        publishAll(p, "r", 150);

        // A trim runs once 100 appends (at least) have come since the last: it kept the newest 10 then.
        JsonNode h = history(p, "r");
        assertThat(h.path("firstOffset").asLong()).isBetween(91L, 141L);
        assertThat(h.path("messages").size())
                .isEqualTo(150 - (int) h.path("firstOffset").asLong() + 1);
    }

    @Test
    void messagesOlderThanMaxAgeAreDroppedAndYoungerOnesKept() {
        AgingStore store = new AgingStore();
        TestPeer p = start(store, RoomHubs.settings(10_000, 3600, 0, 10_000));
        store.age(Duration.ofMinutes(61));
        publishAll(p, "r", 3);
        store.age(Duration.ofMinutes(59));
        publishAll(p, "r", 2);

        trim();

        JsonNode h = history(p, "r");
        assertThat(offsets(h.path("messages"))).containsExactly(4L, 5L);
        assertThat(h.path("firstOffset").asLong()).isEqualTo(4);
    }

    @Test
    void aRoomWhoseEveryMessageIsTooOldIsEmptyFromItsNextOffset() {
        AgingStore store = new AgingStore();
        RoomSettings d = RoomHubs.settings(10_000, 7 * 24 * 3600, 0, 10_000);
        TestPeer p = start(
                store,
                new RoomSettings(
                        d.maxMessages(),
                        d.maxAgeSeconds(),
                        d.maxTextBytes(),
                        d.maxRoomsPerConnection(),
                        d.publishesPerMinute(),
                        d.maxRecover(),
                        List.of(new RoomSettings.Retention("tmp/*", 10_000, 60))));
        store.age(Duration.ofMinutes(2));
        publishAll(p, "tmp/a", 4);
        publishAll(p, "keep", 4);

        trim();

        JsonNode h = history(p, "tmp/a");
        assertThat(h.path("messages")).as("older than tmp/*'s 60 s").isEmpty();
        assertThat(h.path("firstOffset").asLong()).isEqualTo(5);
        assertThat(h.path("offset").asLong()).isEqualTo(4);
        assertThat(offsets(history(p, "keep").path("messages")))
                .as("two minutes is within the default week")
                .isEqualTo(range(1, 4));
    }
}
