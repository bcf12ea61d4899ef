package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.core.rooms.Store;
import dev.agentwire.core.rooms.Store.Append;
import dev.agentwire.core.rooms.Store.Stored;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.RedisProcess;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Room history in a real {@code redis-server} (docs/CLUSTER.md, "Rooms"): the publish script and the reads. */
class RedisStoreTest {

    @TempDir
    static Path dir;

    static RedisProcess redis;
    static RedisLink link;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start(dir);
        link = RedisLink.connect(redis.uri(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (link != null) {
            link.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static int roomCounter;

    private static String newRoom() {
        return "room-" + (++roomCounter) + "-" + System.nanoTime();
    }

    private final RedisStore store = new RedisStore(link, "hub-a", room -> 1000, Duration.ofSeconds(5));

    private static Append message(String room, String text) {
        return new Append(room, "id-" + text, "uid:1000", text, null, System.currentTimeMillis(), Optional.empty());
    }

    private static Append message(String room, String text, String clientMessageId) {
        return new Append(
                room, "id-" + text, "uid:1000", text, null, System.currentTimeMillis(), Optional.of(clientMessageId));
    }

    @Test
    void appendsTakeConsecutiveOffsetsUnderOneEpochAndTheRoomIsListed() {
        String room = newRoom();
        Store.RoomState empty = store.room(room);

        List<Stored> stored = store.append(List.of(message(room, "a"), message(room, "b"), message(room, "c")));

        assertThat(empty.lastOffset()).isZero();
        assertThat(empty.firstOffset()).isEqualTo(1);
        assertThat(stored).extracting(Stored::offset).containsExactly(1L, 2L, 3L);
        assertThat(stored).extracting(Stored::epoch).containsOnly(empty.epoch());
        assertThat(store.room(room)).isEqualTo(new Store.RoomState(room, empty.epoch(), 3, 1));
        assertThat(store.rooms()).extracting(Store.RoomState::room).contains(room);
    }

    @Test
    void twoHubsOnOneRedisShareOneOrder() {
        String room = newRoom();
        RedisStore other = new RedisStore(link, "hub-b", r -> 1000, Duration.ofSeconds(5));
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RedisStore s = i % 2 == 0 ? store : other;
            offsets.add(s.append(List.of(message(room, "m" + i))).get(0).offset());
        }

        assertThat(offsets)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        assertThat(store.after(room, 0, 100))
                .extracting(Stored::text)
                .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
    }

    @Test
    void aRetryWithTheSameClientMessageIdIsADuplicateOfTheFirst() {
        String room = newRoom();
        Stored first = store.append(List.of(message(room, "hello", "c1"))).get(0);

        List<Stored> again = store.append(List.of(message(room, "hello again", "c1"), message(room, "next", "c2")));

        assertThat(again.get(0).duplicate()).isTrue();
        assertThat(again.get(0).offset()).isEqualTo(first.offset());
        assertThat(again.get(0).id()).isEqualTo(first.id());
        assertThat(again.get(1).duplicate()).isFalse();
        assertThat(again.get(1).offset()).isEqualTo(2);
        assertThat(store.after(room, 0, 10)).extracting(Stored::text).containsExactly("hello", "next");
    }

    @Test
    void afterAndBeforeReadPagesOfTheStreamOldestFirst() {
        String room = newRoom();
        for (int i = 1; i <= 5; i++) {
            store.append(List.of(new Append(
                    room,
                    "id" + i,
                    "uid:1000",
                    "t" + i,
                    Json.mapper().createObjectNode().put("n", i),
                    1000 + i,
                    Optional.empty())));
        }

        assertThat(store.after(room, 2, 2)).extracting(Stored::offset).containsExactly(3L, 4L);
        assertThat(store.before(room, 5, 2)).extracting(Stored::offset).containsExactly(3L, 4L);
        assertThat(store.before(room, 1, 10)).isEmpty();
        Stored third = store.after(room, 2, 1).get(0);
        assertThat(third.id()).isEqualTo("id3");
        assertThat(third.data().path("n").asInt()).isEqualTo(3);
        assertThat(third.ts()).isEqualTo(1003);
        assertThat(third.epoch()).isEqualTo(store.room(room).epoch());
    }

    @Test
    void theStreamKeepsTheRoomsRetention() {
        String room = newRoom();
        RedisStore small = new RedisStore(link, "hub-a", r -> 3, Duration.ofSeconds(5));
        for (int i = 1; i <= 5; i++) {
            small.append(List.of(message(room, "t" + i)));
        }

        assertThat(small.room(room).firstOffset()).isEqualTo(3);
        assertThat(small.after(room, 0, 10)).extracting(Stored::offset).containsExactly(3L, 4L, 5L);
    }

    @Test
    void trimDropsMessagesBeyondTheCountAndOlderThanTheAge() {
        String room = newRoom();
        for (int i = 1; i <= 10; i++) {
            store.append(List.of(new Append(room, "id" + i, "u", "t" + i, null, i * 1000L, Optional.empty())));
        }

        store.trim(room, 8, 0);
        assertThat(store.room(room).firstOffset()).as("by count").isEqualTo(3);
        store.trim(room, 100, 6_500);
        assertThat(store.after(room, 0, 100))
                .as("by age")
                .extracting(Stored::offset)
                .containsExactly(7L, 8L, 9L, 10L);
        store.trim(room, 100, 1_000_000);
        assertThat(store.after(room, 0, 100)).as("all too old").isEmpty();
        assertThat(store.room(room).lastOffset()).as("offsets go on").isEqualTo(10);
    }

    @Test
    void aScriptCacheFlushedUnderTheHubIsLoadedAgain() {
        String room = newRoom();
        store.append(List.of(message(room, "before")));

        assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK");

        assertThat(store.append(List.of(message(room, "after"))).get(0).offset())
                .isEqualTo(2);
        assertThat(store.room(room).lastOffset()).isEqualTo(2);
    }

    @Test
    void aHubLoadsItsScriptsWhenItConnectsBeforeItPublishes() throws Exception {
        // Pipelined publishes must not meet NOSCRIPT while another hub loads the script: the first ones would be
        // sent again after the others (ClusterRoomsTest once saw a publisher's first two messages stored late).
        assertThat(redis.command("SCRIPT FLUSH")).isEqualTo("+OK");
        String sha = java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-1")
                        .digest(RedisStoreTest.class
                                .getResourceAsStream("publish.lua")
                                .readAllBytes()));

        try (RedisLink fresh = RedisLink.connect(redis.uri(), Duration.ofSeconds(5))) {
            assertThat(fresh.sync().scriptExists(sha)).containsExactly(true);
        }
    }

    @Test
    void eachMessageIsPublishedOnItsRoomsChannelWithItsPlace() throws Exception {
        String room = newRoom();
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        var sub = link.newPubSub();
        try {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    heard.add(channel + " " + message);
                }
            });
            sub.sync().subscribe(RoomKeys.channel(room));
            Stored s = store.append(List.of(message(room, "hi"))).get(0);

            String got = heard.poll(5, TimeUnit.SECONDS);
            assertThat(got).startsWith(RoomKeys.channel(room) + " 1:" + s.epoch() + ":hub-a:{");
            String json = got.substring(got.indexOf(":hub-a:") + ":hub-a:".length());
            Stored back = RedisStore.decode(room, 1, s.epoch(), json);
            assertThat(back.text()).isEqualTo("hi");
            assertThat(back.id()).isEqualTo(s.id());
        } finally {
            sub.close();
        }
    }

    @Test
    void badUrisAndAServerThatIsNotRedisAreRefusedNamingTheUri() throws Exception {
        assertThatThrownBy(() -> RedisLink.connect("http://127.0.0.1:6379", Duration.ofSeconds(1)))
                .hasMessageContaining("cluster.redis http://127.0.0.1:6379")
                .hasMessageContaining("redis://host:port");
        assertThatThrownBy(() -> RedisLink.connect("redis-cluster://h1:notaport", Duration.ofSeconds(1)))
                .hasMessageContaining("\"h1:notaport\" is not host:port");
        assertThatThrownBy(() -> RedisLink.connect("redis-sentinel://127.0.0.1:26379", Duration.ofSeconds(1)))
                .hasMessageContaining("names its master");
        int nobody;
        try (var s = new java.net.ServerSocket(0)) {
            nobody = s.getLocalPort();
        }
        assertThatThrownBy(() -> RedisLink.connect("redis://127.0.0.1:" + nobody, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cluster.redis redis://127.0.0.1:" + nobody)
                .hasMessageContaining("not reachable");
        // A server that answers, but not as Redis: an HTTP-ish one that says a line and hangs up.
        try (var fake = new java.net.ServerSocket(0)) {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        try (var c = fake.accept()) {
                            c.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            t.setDaemon(true);
            t.start();
            assertThatThrownBy(
                            () -> RedisLink.connect("redis://127.0.0.1:" + fake.getLocalPort(), Duration.ofSeconds(2)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not reachable or not Redis");
        }
    }
}
