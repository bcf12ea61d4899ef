package dev.agentwire.server.rooms;

import static dev.agentwire.server.testing.RpcFailures.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RoomListener;
import dev.agentwire.client.RpcException;
import dev.agentwire.core.Connection;
import dev.agentwire.core.rooms.RoomService;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rooms over real sockets with the SQLite store: acks, order, recovery, limits and slow consumers. */
class RoomsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private AgentwireHub hub(Path dir, String... settings) {
        AgentwireHub h = TestHubs.start(dir, b -> {
            b.set("rooms.publishesPerMinute", "0").set("limits.ratePerSecond", "0");
            for (int i = 0; i < settings.length; i += 2) {
                b.set(settings[i], settings[i + 1]);
            }
            return b;
        });
        open.add(h);
        return h;
    }

    private AgentwireClient client(AgentwireHub h, String name) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(h.endpoint())
                .name(name)
                .reconnect(false)
                .connect();
        open.add(c);
        return c;
    }

    @Test
    void publishIsAckedWithAnOffsetAndDeliveredToMembersInOrder() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        AgentwireClient reader = client(h, "reader");
        List<JsonNode> got = new CopyOnWriteArrayList<>();
        JsonNode join = reader.rooms().join("lobby", got::add).get(10, TimeUnit.SECONDS);
        assertThat(join.path("offset").asLong()).isZero();
        AgentwireClient writer = client(h, "writer");
        List<JsonNode> echoed = new CopyOnWriteArrayList<>();
        writer.rooms().join("lobby", echoed::add).get(10, TimeUnit.SECONDS);
        List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            acks.add(writer.rooms().publish("lobby", "m" + i, null));
        }
        for (int i = 0; i < 50; i++) {
            JsonNode ack = acks.get(i).get(10, TimeUnit.SECONDS);
            assertThat(ack.path("offset").asLong()).isEqualTo(i + 1);
            assertThat(ack.path("epoch").asLong()).isEqualTo(join.path("epoch").asLong());
        }
        await().atMost(WAIT).until(() -> got.size() == 50);
        for (int i = 0; i < 50; i++) {
            assertThat(got.get(i).path("text").asText()).isEqualTo("m" + i);
            assertThat(got.get(i).path("offset").asLong()).isEqualTo(i + 1);
            assertThat(got.get(i).path("from").asText()).isEqualTo("uid:0");
        }
        assertThat(echoed).as("no echo unless asked").isEmpty();
        assertThat(Files.exists(h.config().home().resolve("hub.db"))).isTrue();
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(h.config().home().resolve("hub.db"))))
                .isEqualTo("rw-------");
    }

    @Test
    void aRetriedPublishIsStoredOnce() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        try (RawConnection c = RawConnection.unix(h.config().socketPath())) {
            String publish = "{\"room\":\"r\",\"text\":\"once\",\"clientMessageId\":\"abc\"}";
            JsonNode first = c.request(1, "rooms/publish", publish).readJson();
            JsonNode again = c.request(2, "rooms/publish", publish).readJson();
            assertThat(again.path("result").path("id").asText())
                    .isEqualTo(first.path("result").path("id").asText());
            assertThat(again.path("result").path("offset").asLong()).isEqualTo(1);
            assertThat(again.path("result").path("duplicate").asBoolean()).isTrue();
            JsonNode history = c.request(3, "rooms/history", "{\"room\":\"r\"}").readJson();
            assertThat(history.path("result").path("messages")).hasSize(1);
        }
    }

    @Test
    void aClientThatWasAwayGetsExactlyWhatItMissedAfterAHubRestart() throws Exception {
        Path dir = TestHubs.shortTempDir();
        AgentwireHub first = TestHubs.start(dir, b -> b.set("rooms.publishesPerMinute", "0"));
        List<Runnable> reconnects = new CopyOnWriteArrayList<>();
        AgentwireClient reader = AgentwireClient.builder()
                .endpoint(first.endpoint())
                .scheduler((task, delay) -> {
                    reconnects.add(task);
                    return () -> reconnects.remove(task);
                })
                .connect();
        open.add(reader);
        List<JsonNode> got = new CopyOnWriteArrayList<>();
        reader.rooms().join("news", got::add).get(10, TimeUnit.SECONDS);
        try (AgentwireClient writer = AgentwireClient.builder()
                .endpoint(first.endpoint())
                .reconnect(false)
                .connect()) {
            for (int i = 0; i < 10; i++) {
                writer.rooms().publish("news", "before-" + i, null).get(10, TimeUnit.SECONDS);
            }
        }
        await().atMost(WAIT).until(() -> got.size() == 10);
        first.close();
        await().atMost(WAIT).until(() -> reconnects.size() == 1);
        AgentwireHub second = hub(dir);
        try (AgentwireClient writer = AgentwireClient.builder()
                .endpoint(second.endpoint())
                .reconnect(false)
                .connect()) {
            List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                acks.add(writer.rooms().publish("news", "while-away-" + i, null));
            }
            for (CompletableFuture<JsonNode> a : acks) {
                a.get(20, TimeUnit.SECONDS);
            }
        }
        reconnects.remove(0).run();
        await().atMost(WAIT).until(() -> got.size() == 510);
        for (int i = 0; i < 510; i++) {
            assertThat(got.get(i).path("offset").asLong()).isEqualTo(i + 1);
        }
        assertThat(got.get(10).path("text").asText()).isEqualTo("while-away-0");
        assertThat(reader.rooms().offset("news")).isEqualTo(510);
    }

    @Test
    void sinceBeyondTrimmedHistoryOrWithAnotherEpochIsNotRecovered() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir(), "rooms.maxMessages", "100");
        try (RawConnection c = RawConnection.unix(h.config().socketPath())) {
            JsonNode j =
                    c.request(1, "rooms/join", "{\"room\":\"t\"}").readJson().path("result");
            long epoch = j.path("epoch").asLong();
            AgentwireClient w = client(h, "w");
            List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                acks.add(w.rooms().publish("t", "x" + i, null));
            }
            for (CompletableFuture<JsonNode> a : acks) {
                a.get(20, TimeUnit.SECONDS);
            }
        }
        try (RawConnection c = RawConnection.unix(h.config().socketPath())) {
            JsonNode state = c.request(1, "rooms/history", "{\"room\":\"t\",\"limit\":1}")
                    .readJson()
                    .path("result");
            long epoch = state.path("epoch").asLong();
            assertThat(state.path("firstOffset").asLong()).as("trimmed").isGreaterThan(1);
            JsonNode lost = c.request(
                            2,
                            "rooms/join",
                            "{\"room\":\"t\",\"since\":{\"offset\":5,\"epoch\":" + epoch + "},\"history\":3}")
                    .readJson()
                    .path("result");
            assertThat(lost.path("recovered").asBoolean()).isFalse();
            assertThat(lost.path("messages")).hasSize(3);
            JsonNode wrongEpoch = c.request(
                            3,
                            "rooms/join",
                            "{\"room\":\"t\",\"since\":{\"offset\":399,\"epoch\":" + (epoch + 1) + "}}")
                    .readJson()
                    .path("result");
            assertThat(wrongEpoch.path("recovered").asBoolean()).isFalse();
            JsonNode fine = c.request(
                            4, "rooms/join", "{\"room\":\"t\",\"since\":{\"offset\":398,\"epoch\":" + epoch + "}}")
                    .readJson()
                    .path("result");
            assertThat(fine.path("recovered").asBoolean()).isTrue();
            assertThat(fine.path("messages")).hasSize(2);
        }
    }

    @Test
    void fourPublishersAndTwentySubscribersAllSeeOneOrder() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        List<List<String>> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            List<String> ids = new CopyOnWriteArrayList<>();
            seen.add(ids);
            RoomListener l = m -> ids.add(m.path("id").asText());
            client(h, "sub-" + i).rooms().join("order", l).get(10, TimeUnit.SECONDS);
        }
        List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            AgentwireClient pub = client(h, "pub-" + p);
            for (int i = 0; i < 250; i++) {
                acks.add(pub.rooms().publish("order", "p" + p + "-" + i, null));
            }
        }
        for (CompletableFuture<JsonNode> a : acks) {
            a.get(30, TimeUnit.SECONDS);
        }
        await().atMost(WAIT).until(() -> seen.stream().allMatch(s -> s.size() == 1000));
        for (List<String> s : seen) {
            assertThat(s).isEqualTo(seen.get(0));
        }
    }

    @Test
    void aSubscriberThatNeverReadsIsDisconnectedAndNobodyElseSlowsDown() throws Exception {
        // A grace of 8 s, not the default 2 s: on a loaded machine the reader (a Java client) can stall for 2 s and
        // be closed too, which is the policy working, not what this test is about.
        AgentwireHub h = hub(
                TestHubs.shortTempDir(),
                "server.socket.highWaterMark",
                "16KiB",
                "limits.maxOutboundBytes",
                "512KiB",
                "limits.slowConsumerGraceMs",
                "8000");
        // A plain socket that nobody reads: the kernel buffers fill, then the hub's queue for it.
        java.nio.channels.SocketChannel stuck =
                java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        stuck.connect(java.net.UnixDomainSocketAddress.of(h.config().socketPath()));
        open.add(stuck);
        stuck.write(java.nio.ByteBuffer.wrap(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rooms/join\",\"params\":{\"room\":\"flood\"}}\n"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        await().atMost(WAIT)
                .until(() -> h.core().connections().size() == 1
                        && h.core()
                                        .require(RoomService.class)
                                        .members("flood")
                                        .get(10, TimeUnit.SECONDS)
                                        .path("members")
                                        .size()
                                == 1);
        List<JsonNode> got = new CopyOnWriteArrayList<>();
        client(h, "reader").rooms().join("flood", got::add).get(10, TimeUnit.SECONDS);
        AgentwireClient pub = client(h, "pub");
        String text = "y".repeat(4000);
        List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            acks.add(pub.rooms().publish("flood", text, null));
        }
        for (CompletableFuture<JsonNode> a : acks) {
            a.get(30, TimeUnit.SECONDS);
        }
        await().atMost(WAIT).until(() -> got.size() == 2000);
        await().atMost(WAIT).until(() -> h.core().connections().size() == 2);
        assertThat(h.core().metrics().slowConsumers()).isEqualTo(1);
        assertThat(h.core().status().path("slowConsumers").asLong()).isEqualTo(1);
        // The stuck peer reads what the kernel held for it, then the end of the stream.
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
        long read = 0;
        int n;
        while ((n = stuck.read(buf.clear())) > 0) {
            read += n;
        }
        assertThat(n).as("closed by the hub").isEqualTo(-1);
        assertThat(read).as("less than all 8 MB").isLessThan(8_000_000);
    }

    @Test
    void badInputGetsClearErrors() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir(), "rooms.maxTextBytes", "1KiB");
        AgentwireClient c = client(h, "c");
        ObjectNode notString = Json.mapper().createObjectNode();
        notString.put("room", 5);
        assertThat(rpcError(c.request("rooms/join", notString)).code()).isEqualTo(-32602);
        RpcException big = rpcError(c.rooms().publish("r", "z".repeat(2000), null));
        assertThat(big.code()).isEqualTo(-32006);
        assertThat(big.data().path("limit").asInt()).isEqualTo(1024);
        // 1,000 joins by one connection against the default limit of 100 rooms per connection.
        List<CompletableFuture<JsonNode>> joins = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            joins.add(c.rooms().join("room-" + i, m -> {}));
        }
        int joined = 0;
        RpcException tooMany = null;
        for (CompletableFuture<JsonNode> f : joins) {
            try {
                f.get(20, TimeUnit.SECONDS);
                joined++;
            } catch (ExecutionException e) {
                tooMany = (RpcException) e.getCause();
            }
        }
        assertThat(joined).isEqualTo(100);
        assertThat(tooMany).isNotNull();
        assertThat(tooMany.data().path("limit").asInt()).isEqualTo(100);
        assertThat(tooMany.getMessage()).contains("at most 100 rooms");
        RpcException notMember = rpcError(
                c.request("rooms/typing", Json.mapper().readTree("{\"room\":\"elsewhere\",\"state\":\"thinking\"}")));
        assertThat(notMember.code()).isEqualTo(-32005);
        assertThat(rpcError(c.request(
                                "rooms/typing", Json.mapper().readTree("{\"room\":\"room-1\",\"state\":\"dancing\"}")))
                        .code())
                .isEqualTo(-32602);
        assertThat(rpcError(c.request(
                                "rooms/join",
                                Json.mapper().readTree("{\"room\":\"x\",\"since\":{\"offset\":-1,\"epoch\":1}}")))
                        .code())
                .isEqualTo(-32602);
    }

    @Test
    void aMemberThatFallsBehindLosesEphemeralMessagesFirstAndKeepsEveryStoredOne() throws Exception {
        AgentwireHub h = hub(
                TestHubs.shortTempDir(),
                "server.socket.highWaterMark",
                "16KiB",
                "limits.maxOutboundBytes",
                "16MiB",
                "limits.slowConsumerGraceMs",
                "60000");
        java.nio.channels.SocketChannel behind =
                java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        behind.connect(java.net.UnixDomainSocketAddress.of(h.config().socketPath()));
        open.add(behind);
        behind.write(java.nio.ByteBuffer.wrap(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rooms/join\",\"params\":{\"room\":\"busy\"}}\n"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        await().atMost(WAIT)
                .until(() -> h.core()
                                .require(RoomService.class)
                                .members("busy")
                                .get(10, TimeUnit.SECONDS)
                                .path("members")
                                .size()
                        == 1);
        Connection behindConnection = h.core().connections().iterator().next();
        AgentwireClient pub = client(h, "pub");
        pub.rooms().join("busy", m -> {}).get(10, TimeUnit.SECONDS);
        List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            acks.add(pub.rooms().publish("busy", i + ":" + "z".repeat(4000), null));
        }
        for (CompletableFuture<JsonNode> a : acks) {
            a.get(30, TimeUnit.SECONDS);
        }
        // 1.2 MB for a peer that has not read: past what the kernel holds, so the hub queues the rest.
        await().atMost(WAIT).until(() -> behindConnection.outbound().pendingBytes() > 16 * 1024);
        long droppedBefore = h.core().metrics().droppedEphemeralCount();
        pub.request("rooms/typing", Json.mapper().readTree("{\"room\":\"busy\",\"state\":\"thinking\"}"))
                .get(10, TimeUnit.SECONDS);
        assertThat(h.core().metrics().droppedEphemeralCount()).isEqualTo(droppedBefore + 1);
        assertThat(h.core().metrics().slowConsumers()).isZero();
        // Now it reads: every stored message in order, no typing, and the connection is still open.
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
        StringBuilder text = new StringBuilder();
        List<JsonNode> lines = new ArrayList<>();
        behind.configureBlocking(false);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (lines.stream()
                        .filter(l -> l.path("method").asText().equals("rooms/message"))
                        .count()
                < 300) {
            assertThat(System.nanoTime()).as("all 300 messages read in time").isLessThan(deadline);
            int n = behind.read(buf.clear());
            assertThat(n).as("the hub keeps the connection open").isGreaterThanOrEqualTo(0);
            text.append(new String(buf.array(), 0, n, java.nio.charset.StandardCharsets.UTF_8));
            int nl;
            while ((nl = text.indexOf("\n")) >= 0) {
                lines.add(Json.mapper().readTree(text.substring(0, nl)));
                text.delete(0, nl + 1);
            }
            if (n == 0) {
                Thread.onSpinWait();
            }
        }
        List<String> texts = lines.stream()
                .filter(l -> l.path("method").asText().equals("rooms/message"))
                .map(l -> l.path("params").path("text").asText())
                .toList();
        for (int i = 0; i < 300; i++) {
            assertThat(texts.get(i)).startsWith(i + ":");
        }
        assertThat(lines).noneMatch(l -> l.path("method").asText().equals("rooms/typing"));
        assertThat(h.core().connections()).contains(behindConnection);
    }

    @Test
    void typingAndControlReachOtherMembersAndAreNotStored() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        AgentwireClient a = client(h, "a");
        AgentwireClient b = client(h, "b");
        List<String> heard = new CopyOnWriteArrayList<>();
        b.addNotificationListener((m, p) ->
                heard.add(m + ":" + p.path("state").asText(p.path("action").asText())));
        b.rooms().join("chat", m -> {}).get(10, TimeUnit.SECONDS);
        a.rooms().join("chat", m -> {}).get(10, TimeUnit.SECONDS);
        a.request("rooms/typing", Json.mapper().readTree("{\"room\":\"chat\",\"state\":\"thinking\"}"))
                .get(10, TimeUnit.SECONDS);
        a.request("rooms/control", Json.mapper().readTree("{\"room\":\"chat\",\"action\":\"pause\"}"))
                .get(10, TimeUnit.SECONDS);
        await().atMost(WAIT)
                .until(() -> heard.containsAll(
                        List.of("rooms/presence:joined", "rooms/typing:thinking", "rooms/control:pause")));
        assertThat(a.rooms().history("chat", 10).get(10, TimeUnit.SECONDS).path("messages"))
                .isEmpty();
        JsonNode list = a.rooms().list().get(10, TimeUnit.SECONDS);
        assertThat(list.path("rooms").findValuesAsText("room")).contains("chat");
    }

    @Test
    void retentionCanBeSetPerRoom() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir(), "rooms.retention", "small*=100/3600");
        AgentwireClient w = client(h, "w");
        List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            acks.add(w.rooms().publish("small-room", "s" + i, null));
            acks.add(w.rooms().publish("big-room", "b" + i, null));
        }
        for (CompletableFuture<JsonNode> a : acks) {
            a.get(30, TimeUnit.SECONDS);
        }
        JsonNode small = w.rooms().history("small-room", 1000).get(10, TimeUnit.SECONDS);
        JsonNode big = w.rooms().history("big-room", 1000).get(10, TimeUnit.SECONDS);
        assertThat(small.path("firstOffset").asLong())
                .as("trimmed to its own limit")
                .isGreaterThan(1);
        // Trimmed after every 100 appends to the newest 100: between 100 and 199 remain.
        assertThat(small.path("messages").size()).isBetween(100, 199);
        assertThat(big.path("firstOffset").asLong())
                .as("the default 10,000 keeps all")
                .isEqualTo(1);
        assertThat(big.path("messages")).hasSize(400);
    }

    @Test
    void publishesAreRateLimitedPerIdentityWithRetryAfter() throws Exception {
        AgentwireHub h = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("rooms.publishesPerMinute", "60"));
        open.add(h);
        AgentwireClient a = client(h, "a");
        AgentwireClient sameUser = client(h, "same-user");
        for (int i = 0; i < 30; i++) {
            a.rooms().publish("limited", "m" + i, null).get(10, TimeUnit.SECONDS);
            sameUser.rooms().publish("limited", "n" + i, null).get(10, TimeUnit.SECONDS);
        }
        // Ten more at once: a token may have refilled meanwhile, but not ten.
        List<CompletableFuture<JsonNode>> extra = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            extra.add(sameUser.rooms().publish("limited", "extra" + i, null));
        }
        int accepted = 0;
        RpcException limited = null;
        for (CompletableFuture<JsonNode> f : extra) {
            try {
                f.get(10, TimeUnit.SECONDS);
                accepted++;
            } catch (ExecutionException e) {
                limited = (RpcException) e.getCause();
            }
        }
        assertThat(limited).as("some of the ten are refused").isNotNull();
        assertThat(limited.code())
                .as("the limit is per identity (uid:0), not per connection")
                .isEqualTo(-32004);
        assertThat(limited.data().path("retryAfterMs").asLong()).isBetween(1L, 1000L);
        assertThat(limited.getMessage()).contains("60 messages a minute");
        assertThat(a.rooms().history("limited", 100).get(10, TimeUnit.SECONDS).path("messages"))
                .as("refused publishes are not stored")
                .hasSize(60 + accepted);
    }
}
