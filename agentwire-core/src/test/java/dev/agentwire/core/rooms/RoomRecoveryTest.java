package dev.agentwire.core.rooms;

import static dev.agentwire.core.rooms.RoomHubs.join;
import static dev.agentwire.core.rooms.RoomHubs.offsets;
import static dev.agentwire.core.rooms.RoomHubs.publish;
import static dev.agentwire.core.rooms.RoomHubs.range;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.Ticker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rejoining with {@code since {offset, epoch}} (docs/PROTOCOL.md, rooms): every message after {@code offset}
 * with {@code recovered: true}, unless the epoch differs, the offset is older than the oldest kept, or more than
 * {@code maxRecover} were missed; then {@code recovered: false}, the room's epoch and the last {@code history}.
 */
class RoomRecoveryTest {

    private final List<HubCore> hubs = new ArrayList<>();

    private HubCore hub(Store store, int maxMessages, int maxRecover) {
        HubCore core = RoomHubs.hub(store, RoomHubs.settings(maxMessages, 3600, 0, maxRecover), Ticker.SYSTEM);
        hubs.add(core);
        return core;
    }

    @AfterEach
    void close() {
        hubs.forEach(HubCore::close);
    }

    private static void publishAll(TestPeer p, String room, int n) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(publish(p, room, "m"));
        }
        ids.forEach(p::result);
    }

    private static JsonNode rejoin(TestPeer p, String room, long offset, long epoch, int history) {
        return p.call(
                "rooms/join",
                "{\"room\":\"" + room + "\",\"history\":" + history + ",\"since\":{\"offset\":" + offset + ",\"epoch\":"
                        + epoch + "}}");
    }

    @Test
    void aRejoinWithSinceGetsExactlyWhatItMissedThenLiveMessages() {
        HubCore core = hub(new MemoryStore(), 10_000, 10_000);
        TestPeer sender = TestPeer.unix(core, 1001);
        TestPeer member = TestPeer.unix(core, 1002);
        long epoch = join(member, "r").path("epoch").asLong();
        publishAll(sender, "r", 3);
        assertThat(offsets(member.awaitNotifications("rooms/message", 3))).isEqualTo(range(1, 3));
        member.call("rooms/leave", "{\"room\":\"r\"}");
        publishAll(sender, "r", 4);

        JsonNode back = rejoin(member, "r", 3, epoch, 0);

        assertThat(back.path("recovered").asBoolean()).isTrue();
        assertThat(back.path("epoch").asLong()).isEqualTo(epoch);
        assertThat(back.path("offset").asLong()).isEqualTo(7);
        assertThat(offsets(back.path("messages"))).as("what it missed").isEqualTo(range(4, 7));
        sender.result(publish(sender, "r", "live"));
        List<JsonNode> live = member.awaitNotifications("rooms/message", 4);
        assertThat(offsets(live)).as("live after the rejoin, nothing twice").isEqualTo(List.of(1L, 2L, 3L, 8L));
    }

    @Test
    void aRejoinDuringAFloodHasNoGapAndNoDuplicate() {
        HubCore core = hub(new MemoryStore(), 10_000, 10_000);
        TestPeer sender = TestPeer.unix(core, 1001);
        TestPeer member = TestPeer.unix(core, 1002);
        long epoch = join(sender, "flood").path("epoch").asLong();
        publishAll(sender, "flood", 20);

        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ids.add(publish(sender, "flood", "f" + i));
        }
        sender.result(ids.get(100));
        JsonNode back = rejoin(member, "flood", 20, epoch, 0);
        ids.forEach(sender::result);

        assertThat(back.path("recovered").asBoolean()).isTrue();
        List<Long> got = new ArrayList<>(offsets(back.path("messages")));
        int live = 520 - got.size() - 20;
        got.addAll(offsets(member.awaitNotifications("rooms/message", live)));
        assertThat(got).as("recovered then live").isEqualTo(range(21, 520));
    }

    @Test
    void anotherEpochIsReportedWithTheLatestHistoryInstead() {
        HubCore before = hub(new MemoryStore(), 10_000, 10_000);
        TestPeer p = TestPeer.unix(before, 1001);
        long oldEpoch = join(p, "r").path("epoch").asLong();
        publishAll(p, "r", 5);
        // The hub restarts with its history lost: a new store, so a new epoch.
        HubCore after = hub(new MemoryStore(), 10_000, 10_000);
        TestPeer q = TestPeer.unix(after, 1001);
        publishAll(q, "r", 8); // offset 5 exists again, but it is another message

        JsonNode back = rejoin(q, "r", 5, oldEpoch, 2);

        assertThat(back.path("recovered").asBoolean()).isFalse();
        assertThat(back.path("epoch").asLong()).as("the room's new epoch").isNotEqualTo(oldEpoch);
        assertThat(offsets(back.path("messages"))).as("the last 2 instead").containsExactly(7L, 8L);
    }

    @Test
    void aWrongEpochOnTheSameHistoryIsNotRecovered() {
        HubCore core = hub(new MemoryStore(), 10_000, 10_000);
        TestPeer p = TestPeer.unix(core, 1001);
        long epoch = join(p, "r").path("epoch").asLong();
        publishAll(p, "r", 4);

        JsonNode back = rejoin(TestPeer.unix(core, 1002), "r", 2, epoch + 1, 1);

        assertThat(back.path("recovered").asBoolean()).isFalse();
        assertThat(back.path("epoch").asLong()).isEqualTo(epoch);
        assertThat(offsets(back.path("messages"))).containsExactly(4L);
    }

    @Test
    void anOffsetOlderThanTheOldestKeptIsNotRecovered() {
        HubCore core = hub(new MemoryStore(), 5, 10_000);
        TestPeer p = TestPeer.unix(core, 1001);
        long epoch = join(p, "r").path("epoch").asLong();
        publishAll(p, "r", 12);
        core.require(RoomService.class).trimAll();

        JsonNode trimmed = rejoin(TestPeer.unix(core, 1002), "r", 2, epoch, 3);
        JsonNode justKept = rejoin(TestPeer.unix(core, 1003), "r", 7, epoch, 3);

        assertThat(trimmed.path("firstOffset").asLong()).isEqualTo(8);
        assertThat(trimmed.path("recovered").asBoolean()).isFalse();
        assertThat(offsets(trimmed.path("messages"))).containsExactly(10L, 11L, 12L);
        assertThat(justKept.path("recovered").asBoolean())
                .as("everything after 7 is kept")
                .isTrue();
        assertThat(offsets(justKept.path("messages"))).isEqualTo(range(8, 12));
    }

    @Test
    void missingMoreThanMaxRecoverIsNotRecovered() {
        HubCore core = hub(new MemoryStore(), 10_000, 5);
        TestPeer p = TestPeer.unix(core, 1001);
        long epoch = join(p, "r").path("epoch").asLong();
        publishAll(p, "r", 10);

        JsonNode six = rejoin(TestPeer.unix(core, 1002), "r", 4, epoch, 2);
        JsonNode five = rejoin(TestPeer.unix(core, 1003), "r", 5, epoch, 2);

        assertThat(six.path("recovered").asBoolean())
                .as("6 missed, 5 recoverable")
                .isFalse();
        assertThat(offsets(six.path("messages"))).containsExactly(9L, 10L);
        assertThat(five.path("recovered").asBoolean())
                .as("exactly maxRecover missed")
                .isTrue();
        assertThat(offsets(five.path("messages"))).isEqualTo(range(6, 10));
    }

    @Test
    void anOffsetAheadOfTheRoomIsNotRecoveredAndTheLatestOneRecoversNothing() {
        HubCore core = hub(new MemoryStore(), 10_000, 10_000);
        TestPeer p = TestPeer.unix(core, 1001);
        long epoch = join(p, "r").path("epoch").asLong();
        publishAll(p, "r", 3);

        JsonNode ahead = rejoin(TestPeer.unix(core, 1002), "r", 9, epoch, 1);
        JsonNode upToDate = rejoin(TestPeer.unix(core, 1003), "r", 3, epoch, 1);

        assertThat(ahead.path("recovered").asBoolean()).isFalse();
        assertThat(offsets(ahead.path("messages"))).containsExactly(3L);
        assertThat(upToDate.path("recovered").asBoolean()).isTrue();
        assertThat(upToDate.path("messages")).isEmpty();
    }
}
