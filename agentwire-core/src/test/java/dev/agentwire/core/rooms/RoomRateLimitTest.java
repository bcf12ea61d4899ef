package dev.agentwire.core.rooms;

import static dev.agentwire.core.rooms.RoomHubs.history;
import static dev.agentwire.core.rooms.RoomHubs.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.TestTicker;
import dev.agentwire.protocol.RpcError;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code rooms.publishesPerMinute} (RoomSettings, docs/PROTOCOL.md): per identity, across its rooms and
 * connections; past it a publish is {@code -32004} with {@code retryAfterMs} and is not stored; 0 turns it off.
 * The bucket refills with the hub's ticker, which the test moves.
 */
class RoomRateLimitTest {

    private final TestTicker ticker = new TestTicker();
    private HubCore core;

    @AfterEach
    void close() {
        core.close();
    }

    private void start(int publishesPerMinute) {
        core = RoomHubs.hub(new MemoryStore(), RoomHubs.settings(10_000, 3600, publishesPerMinute, 10_000), ticker);
    }

    private static boolean accepted(TestPeer p, String room) {
        long id = publish(p, room, "x");
        return p.reply(id) instanceof dev.agentwire.protocol.Message.Response;
    }

    @Test
    void aSenderPastItsLimitIsRefusedWithRetryAfterAndNothingIsStored() {
        start(3);
        TestPeer sender = TestPeer.unix(core, 1001);
        for (int i = 0; i < 3; i++) {
            assertThat(accepted(sender, "r")).as("publish %d of 3", i + 1).isTrue();
        }

        RpcError e = sender.error(publish(sender, "r", "one too many"));

        assertThat(e.code()).isEqualTo(-32004);
        assertThat(e.reason()).isEqualTo("rate_limited");
        // 3 a minute: one every 20 s.
        assertThat(e.data().path("retryAfterMs").asLong()).isCloseTo(20_000L, within(1L));
        assertThat(e.data().path("limitPerMinute").asInt()).isEqualTo(3);
        assertThat(e.message()).contains("uid:1001").contains("rooms.publishesPerMinute");
        assertThat(history(sender, "r").path("messages").size()).as("stored").isEqualTo(3);
        assertThat(accepted(TestPeer.unix(core, 1002), "r"))
                .as("another identity")
                .isTrue();
    }

    @Test
    void theLimitRefillsWithTheClockUpToTheBurstOnly() {
        start(3);
        TestPeer sender = TestPeer.unix(core, 1001);
        for (int i = 0; i < 3; i++) {
            accepted(sender, "r");
        }

        ticker.advance(Duration.ofMillis(19_900));
        RpcError early = sender.error(publish(sender, "r", "early"));
        ticker.advance(Duration.ofMillis(100));
        boolean onTime = accepted(sender, "r");
        boolean again = accepted(sender, "r");

        assertThat(early.data().path("retryAfterMs").asLong()).isCloseTo(100L, within(1L));
        assertThat(onTime).as("20 s after the third").isTrue();
        assertThat(again).as("the token it earned is spent").isFalse();

        ticker.advance(Duration.ofMinutes(10));
        for (int i = 0; i < 3; i++) {
            assertThat(accepted(sender, "r")).as("burst publish %d", i + 1).isTrue();
        }
        assertThat(accepted(sender, "r")).as("never more than the burst").isFalse();
    }

    @Test
    void theLimitIsPerIdentityAcrossRoomsAndConnections() {
        start(3);
        TestPeer first = TestPeer.unix(core, 1001);
        TestPeer second = TestPeer.unix(core, 1001);

        assertThat(accepted(first, "a")).isTrue();
        assertThat(accepted(first, "b")).isTrue();
        assertThat(accepted(second, "c")).isTrue();

        assertThat(second.error(publish(second, "d", "x")).code()).isEqualTo(-32004);
        assertThat(first.error(publish(first, "a", "x")).code()).isEqualTo(-32004);
    }

    @Test
    void zeroTurnsTheLimitOff() {
        start(0);
        TestPeer sender = TestPeer.unix(core, 1001);

        for (int i = 0; i < 100; i++) {
            assertThat(accepted(sender, "r")).as("publish %d", i + 1).isTrue();
        }
    }
}
