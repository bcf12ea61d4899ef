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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Order in rooms (docs/PROTOCOL.md, rooms): each room has consecutive offsets, and every member receives
 * {@code rooms/message} in offset order, which is publish order; the sender hears itself only with echo.
 */
class RoomOrderingTest {

    private final HubCore core =
            RoomHubs.hub(new MemoryStore(), RoomHubs.settings(10_000, 3600, 0, 10_000), Ticker.SYSTEM);

    @AfterEach
    void close() {
        core.close();
    }

    private static List<String> texts(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("text").asText()).toList();
    }

    @Test
    void onePublishersMessagesGetConsecutiveOffsetsAndReachEveryMemberInPublishOrder() {
        TestPeer sender = TestPeer.unix(core, 1001);
        TestPeer b = TestPeer.unix(core, 1002);
        TestPeer c = TestPeer.unix(core, 1003);
        long epoch = join(sender, "lobby").path("epoch").asLong();
        join(b, "lobby");
        join(c, "lobby");

        List<Long> ids = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add("m" + i);
            ids.add(publish(sender, "lobby", "m" + i));
        }

        List<Long> acked = ids.stream()
                .map(id -> sender.result(id).path("offset").asLong())
                .toList();
        assertThat(acked).as("ack offsets in publish order").isEqualTo(range(1, 200));
        for (TestPeer member : List.of(b, c)) {
            List<JsonNode> got = member.awaitNotifications("rooms/message", 200);
            assertThat(offsets(got)).as("offsets a member receives").isEqualTo(range(1, 200));
            assertThat(texts(got)).as("texts a member receives").isEqualTo(sent);
            assertThat(got).allSatisfy(m -> {
                assertThat(m.path("epoch").asLong()).isEqualTo(epoch);
                assertThat(m.path("from").asText()).isEqualTo("uid:1001");
            });
        }
        assertThat(sender.notifications("rooms/message"))
                .as("the sender joined without echo")
                .isEmpty();
    }

    @Test
    void concurrentPublishersAreInterleavedIntoOneOrderThatEveryMemberSees() throws Exception {
        List<TestPeer> publishers =
                List.of(TestPeer.unix(core, 2001), TestPeer.unix(core, 2002), TestPeer.unix(core, 2003));
        TestPeer m1 = TestPeer.unix(core, 2101);
        TestPeer m2 = TestPeer.unix(core, 2102);
        join(m1, "busy");
        join(m2, "busy");
        int each = 100;

        ExecutorService pool = Executors.newFixedThreadPool(publishers.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Long>>> acks = new ArrayList<>();
        try {
            for (int p = 0; p < publishers.size(); p++) {
                TestPeer pub = publishers.get(p);
                String tag = "p" + p + "-";
                acks.add(pool.submit(() -> {
                    go.await();
                    List<Long> ids = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        ids.add(publish(pub, "busy", tag + i));
                    }
                    return ids.stream()
                            .map(id -> pub.result(id).path("offset").asLong())
                            .toList();
                }));
            }
            go.countDown();
            for (Future<List<Long>> f : acks) {
                assertThat(f.get()).as("one publisher's ack offsets").isSorted().doesNotHaveDuplicates();
            }
        } finally {
            pool.shutdownNow();
        }

        int total = each * publishers.size();
        List<JsonNode> seen1 = m1.awaitNotifications("rooms/message", total);
        List<JsonNode> seen2 = m2.awaitNotifications("rooms/message", total);
        assertThat(offsets(seen1)).isEqualTo(range(1, total));
        assertThat(texts(seen2)).as("both members see the same order").isEqualTo(texts(seen1));
        for (int p = 0; p < publishers.size(); p++) {
            String tag = "p" + p + "-";
            List<String> mine =
                    texts(seen1).stream().filter(t -> t.startsWith(tag)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                expected.add(tag + i);
            }
            assertThat(mine).as("publisher %d's messages keep its order", p).isEqualTo(expected);
        }
    }

    @Test
    void offsetsCountPerRoom() {
        TestPeer p = TestPeer.unix(core, 1001);
        TestPeer inA = TestPeer.unix(core, 1002);
        join(inA, "a");
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            a.add(publish(p, "a", "a" + i));
            b.add(publish(p, "b", "b" + i));
        }

        assertThat(a.stream().map(id -> p.result(id).path("offset").asLong())).containsExactly(1L, 2L, 3L);
        assertThat(b.stream().map(id -> p.result(id).path("offset").asLong())).containsExactly(1L, 2L, 3L);
        assertThat(texts(inA.awaitNotifications("rooms/message", 3)))
                .as("a member of a hears a only")
                .containsExactly("a0", "a1", "a2");
    }

    @Test
    void theSenderHearsItsOwnMessagesOnlyWithEcho() {
        TestPeer echo = TestPeer.unix(core, 1001);
        TestPeer quiet = TestPeer.unix(core, 1002);
        echo.call("rooms/join", "{\"room\":\"r\",\"echo\":true}");
        join(quiet, "r");

        echo.result(publish(echo, "r", "from-echo"));
        quiet.result(publish(quiet, "r", "from-quiet"));

        assertThat(texts(echo.awaitNotifications("rooms/message", 2))).containsExactly("from-echo", "from-quiet");
        assertThat(texts(quiet.awaitNotifications("rooms/message", 1))).containsExactly("from-echo");
        assertThat(quiet.notifications("rooms/message")).hasSize(1);
    }
}
