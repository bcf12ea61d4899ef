package dev.agentwire.server.rooms;

import static dev.agentwire.server.testing.RpcFailures.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Direct messages (a room {@code @<identity>} is that identity's inbox, the ElizaOS seed's {@code sendToSocket})
 * and {@code rooms/broadcast} (its {@code broadcastGlobally}), over real sockets to a real hub, with scoped tokens;
 * and a join's {@code since} as any client may send it.
 */
class InboxAndBroadcastTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private AgentwireHub hub;
    private AgentwireClient owner;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir());
        owner = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
    }

    @AfterEach
    void stop() {
        owner.close();
        hub.close();
    }

    private AgentwireClient as(String sub, String... scopes) throws Exception {
        var params = Json.mapper().createObjectNode().put("sub", sub).put("ttlSeconds", 600);
        var list = params.putArray("scopes");
        for (String s : scopes) {
            list.add(s);
        }
        String token = owner.request("tokens/create", params)
                .get(10, TimeUnit.SECONDS)
                .path("token")
                .asText();
        return AgentwireClient.builder()
                .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                .token(token)
                .name(sub)
                .reconnect(false)
                .connect();
    }

    private static List<String> texts(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("text").asText()).toList();
    }

    @Test
    void aMintedTokenCannotTakeAnIdentityTheHubAuthenticatesSoItCannotReadItsInbox() throws Exception {
        // The owner's agents on the Unix socket are uid:N; its browser login and the hub's secret have names too.
        String uid = owner.hello().path("identity").asText();
        assertThat(uid).startsWith("uid:");
        for (String sub : List.of(uid, "uid:0", "token", "browser")) {
            var params = Json.mapper().createObjectNode().put("sub", sub).put("ttlSeconds", 600);
            var e = dev.agentwire.server.testing.RpcFailures.rpcError(owner.request("tokens/create", params));
            assertThat(e.code()).as(sub).isEqualTo(-32005);
            assertThat(e.reason()).as(sub).isEqualTo("reserved_subject");
        }
    }

    @Test
    void aDirectMessageWaitsInTheInboxAndArrivesLiveToo() throws Exception {
        try (AgentwireClient alice = as("alice", "rooms:write:@bob")) {
            JsonNode ack =
                    alice.rooms().sendTo("bob", "while you were away", null).get(10, TimeUnit.SECONDS);
            assertThat(ack.path("offset").asLong()).isEqualTo(1);
            try (AgentwireClient bob = as("bob")) {
                assertThat(bob.hello().path("inbox").asText()).isEqualTo("@bob");
                List<JsonNode> got = new CopyOnWriteArrayList<>();
                bob.rooms().joinInbox(10, got::add).get(10, TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> got.size() == 1);
                assertThat(got.get(0).path("from").asText()).isEqualTo("alice");
                alice.rooms().sendTo("bob", "now", null).get(10, TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> got.size() == 2);
                assertThat(texts(got)).containsExactly("while you were away", "now");
                assertThat(texts(List.copyOf(bob.rooms()
                                .history("@bob", 10)
                                .get(10, TimeUnit.SECONDS)
                                .path("messages")
                                .valueStream()
                                .toList())))
                        .containsExactly("while you were away", "now");
                assertThat(bob.rooms()
                                .list()
                                .get(10, TimeUnit.SECONDS)
                                .path("rooms")
                                .findValuesAsText("room"))
                        .containsExactly("@bob");
            }
        }
    }

    @Test
    void anotherIdentitysInboxIsRefusedToEveryoneElseEvenTheOwner() throws Exception {
        try (AgentwireClient alice = as("alice", "rooms:read:*", "rooms:write:@bob")) {
            alice.rooms().sendTo("bob", "private", null).get(10, TimeUnit.SECONDS);
            RpcException join = rpcError(alice.rooms().join("@bob", 10, m -> {}));
            assertThat(join.code()).isEqualTo(-32005);
            assertThat(join.reason()).isEqualTo("not_your_inbox");
            assertThat(join.getMessage()).contains("@bob is the inbox of bob").contains("you are alice");
            assertThat(rpcError(alice.rooms().history("@bob", 10)).reason()).isEqualTo("not_your_inbox");
            assertThat(rpcError(alice.request(
                                    "rooms/members",
                                    Json.mapper().createObjectNode().put("room", "@bob")))
                            .reason())
                    .isEqualTo("not_your_inbox");
            RpcException byOwner = rpcError(owner.rooms().join("@bob", 10, m -> {}));
            assertThat(byOwner.reason())
                    .as("the owner's * does not open an inbox")
                    .isEqualTo("not_your_inbox");
            // Probing someone's inbox is audited like any other refusal.
            java.nio.file.Path audit = hub.config().home().resolve("audit.log");
            await().atMost(WAIT)
                    .until(() -> java.nio.file.Files.exists(audit)
                            && java.nio.file.Files.readAllLines(audit).stream()
                                    .anyMatch(l -> l.contains("\"call_refused\"")
                                            && l.contains("rooms/join")
                                            && l.contains("not_your_inbox")));
            assertThat(owner.rooms()
                            .list()
                            .get(10, TimeUnit.SECONDS)
                            .path("rooms")
                            .findValuesAsText("room"))
                    .doesNotContain("@bob");
            assertThat(alice.rooms()
                            .list()
                            .get(10, TimeUnit.SECONDS)
                            .path("rooms")
                            .findValuesAsText("room"))
                    .doesNotContain("@bob");
        }
    }

    @Test
    void writingToAnInboxNeedsItsWriteScopeAndLosesNothing() throws Exception {
        try (AgentwireClient carol = as("carol", "rooms:write:lobby");
                AgentwireClient bob = as("bob")) {
            RpcException refused = rpcError(carol.rooms().sendTo("bob", "spam", null));
            assertThat(refused.code()).isEqualTo(-32005);
            assertThat(refused.data().path("scope").asText()).isEqualTo("rooms:write:@bob");
            assertThat(bob.rooms()
                            .history("@bob", 10)
                            .get(10, TimeUnit.SECONDS)
                            .path("messages")
                            .size())
                    .isZero();
            assertThat(carol.rooms()
                            .publish("lobby", "still works", null)
                            .get(10, TimeUnit.SECONDS)
                            .has("offset"))
                    .isTrue();
        }
    }

    @Test
    void aBroadcastReachesEveryMemberOfEveryWritableRoomOnce() throws Exception {
        try (AgentwireClient dave = as("dave", "rooms:write:lobby", "rooms:write:news");
                AgentwireClient both = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect();
                AgentwireClient newsOnly = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect();
                AgentwireClient elsewhere = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            List<JsonNode> toBoth = new CopyOnWriteArrayList<>();
            List<JsonNode> toNews = new CopyOnWriteArrayList<>();
            List<JsonNode> toElsewhere = new CopyOnWriteArrayList<>();
            both.rooms().onBroadcast(toBoth::add);
            newsOnly.rooms().onBroadcast(toNews::add);
            elsewhere.rooms().onBroadcast(toElsewhere::add);
            both.rooms().join("lobby", m -> {}).get(10, TimeUnit.SECONDS);
            both.rooms().join("news", m -> {}).get(10, TimeUnit.SECONDS);
            newsOnly.rooms().join("news", m -> {}).get(10, TimeUnit.SECONDS);
            elsewhere.rooms().join("secret", m -> {}).get(10, TimeUnit.SECONDS);
            JsonNode sent = dave.rooms()
                    .broadcast("hello all", Json.mapper().createObjectNode().put("n", 1))
                    .get(10, TimeUnit.SECONDS);
            assertThat(sent.path("rooms").toString()).isEqualTo("[\"lobby\",\"news\"]");
            assertThat(sent.path("delivered").asInt()).isEqualTo(2);
            await().atMost(WAIT).until(() -> toBoth.size() == 1 && toNews.size() == 1);
            assertThat(toBoth.get(0).path("from").asText()).isEqualTo("dave");
            assertThat(toBoth.get(0).path("text").asText()).isEqualTo("hello all");
            assertThat(toBoth.get(0).path("data").path("n").asInt()).isEqualTo(1);
            assertThat(toBoth.get(0).path("rooms").toString()).isEqualTo("[\"lobby\",\"news\"]");
            assertThat(toNews.get(0).path("rooms").toString()).isEqualTo("[\"news\"]");
            // The owner may write every room: its broadcast is the first that reaches the room dave may not write.
            owner.rooms().broadcast("from the owner", null).get(10, TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> toElsewhere.size() == 1);
            assertThat(toElsewhere.get(0).path("text").asText()).isEqualTo("from the owner");
            assertThat(owner.rooms()
                            .history("lobby", 10)
                            .get(10, TimeUnit.SECONDS)
                            .path("messages")
                            .size())
                    .as("a broadcast is not stored")
                    .isZero();
        }
    }

    @Test
    void aBroadcastNamesOnlyTheRoomsItsSenderMayReadOrNames() throws Exception {
        try (AgentwireClient bob = as("bob");
                AgentwireClient erin = as("erin", "rooms:write:*");
                AgentwireClient member = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            bob.rooms().joinInbox(0, m -> {}).get(10, TimeUnit.SECONDS);
            member.rooms().join("board", m -> {}).get(10, TimeUnit.SECONDS);
            JsonNode sent = erin.rooms().broadcast("to all", null).get(10, TimeUnit.SECONDS);
            assertThat(sent.path("delivered").asInt())
                    .as("bob in his inbox, and the board's member")
                    .isEqualTo(2);
            assertThat(sent.path("rooms"))
                    .as("rooms:write:* does not learn which rooms are active, nor who is online")
                    .isEmpty();
        }
    }

    @Test
    void aBroadcastWithoutAnyWritableRoomOrWithNothingToSayIsRefused() throws Exception {
        try (AgentwireClient reader = as("reader", "rooms:read:lobby")) {
            RpcException refused = rpcError(reader.rooms().broadcast("hi", null));
            assertThat(refused.code()).isEqualTo(-32005);
            assertThat(refused.reason()).isEqualTo("no_writable_room");
            assertThat(refused.getMessage()).contains("may write none");
        }
        try (AgentwireClient writer = as("writer", "rooms:write:lobby")) {
            JsonNode nobody = writer.rooms().broadcast("anyone?", null).get(10, TimeUnit.SECONDS);
            assertThat(nobody.path("delivered").asInt())
                    .as("no one is in lobby")
                    .isZero();
            RpcException empty = rpcError(writer.rooms().broadcast(null, null));
            assertThat(empty.code()).isEqualTo(-32602);
            assertThat(empty.reason()).isEqualTo("empty_message");
        }
    }

    @Test
    void aNewRoomsEpochSurvivesJavaScriptsNumbersSoItsSinceRecovers() throws Exception {
        long epoch = owner.rooms()
                .join("js", m -> {})
                .get(10, TimeUnit.SECONDS)
                .path("epoch")
                .asLong();
        owner.rooms().publish("js", "one", null).get(10, TimeUnit.SECONDS);
        owner.rooms().publish("js", "two", null).get(10, TimeUnit.SECONDS);
        // What JSON.parse then JSON.stringify make of the epoch: its nearest double, written in full.
        String roundTripped =
                new java.math.BigDecimal((double) epoch).toBigInteger().toString();
        assertThat(roundTripped).as("a safe integer in JavaScript").isEqualTo(Long.toString(epoch));
        JsonNode params =
                Json.mapper().readTree("{\"room\":\"js\",\"since\":{\"offset\":1,\"epoch\":" + roundTripped + "}}");
        try (AgentwireClient js = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            JsonNode r = js.request("rooms/join", params).get(10, TimeUnit.SECONDS);
            assertThat(r.path("recovered").asBoolean()).isTrue();
            assertThat(texts(List.copyOf(r.path("messages").valueStream().toList())))
                    .containsExactly("two");
        }
    }

    @Test
    void badRoomNamesAndSinceAreRefusedClearly() throws Exception {
        RpcException bare = rpcError(
                owner.request("rooms/join", Json.mapper().createObjectNode().put("room", "@")));
        assertThat(bare.code()).isEqualTo(-32602);
        assertThat(bare.reason()).isEqualTo("invalid_room");
        var negative = Json.mapper().createObjectNode().put("room", "lobby");
        negative.putObject("since").put("offset", -1).put("epoch", 1);
        assertThat(rpcError(owner.request("rooms/join", negative)).reason()).isEqualTo("invalid_since");
        var noEpoch = Json.mapper().createObjectNode().put("room", "lobby");
        noEpoch.putObject("since").put("offset", 3);
        assertThat(rpcError(owner.request("rooms/join", noEpoch)).reason()).isEqualTo("invalid_since");
        var wordEpoch = Json.mapper().createObjectNode().put("room", "lobby");
        wordEpoch.putObject("since").put("offset", 0).put("epoch", "abc");
        assertThat(rpcError(owner.request("rooms/join", wordEpoch)).reason()).isEqualTo("invalid_since");
        var floatEpoch = Json.mapper().createObjectNode().put("room", "lobby");
        floatEpoch.putObject("since").put("offset", 0).put("epoch", 9.3e18);
        assertThat(rpcError(owner.request("rooms/join", floatEpoch)).reason())
                .as("past 64 bits")
                .isEqualTo("invalid_since");
        var halfEpoch = Json.mapper().createObjectNode().put("room", "lobby");
        halfEpoch.putObject("since").put("offset", 0).put("epoch", 1.5);
        assertThat(rpcError(owner.request("rooms/join", halfEpoch)).reason()).isEqualTo("invalid_since");
        var text = Json.mapper().createObjectNode().put("room", "lobby").put("since", "yesterday");
        RpcException notAnObject = rpcError(owner.request("rooms/join", text));
        assertThat(notAnObject.code()).isEqualTo(-32602);
        assertThat(owner.request("hub/ping")
                        .get(10, TimeUnit.SECONDS)
                        .path("pong")
                        .asBoolean())
                .as("the connection goes on")
                .isTrue();
    }
}
