package dev.agentwire.server.rooms;

import static dev.agentwire.server.testing.ClientJsDriver.args;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.ClientJsDriver;
import dev.agentwire.server.testing.TestHubs;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hub's client.js in Node against a live hub: rooms (join with history, publish, typing, rejoin with
 * {@code since} after the hub restarts), services, the inbox, broadcasts, and the reconnect that gives up after
 * {@code maxReconnectAttempts}; each refusal as the page would see it.
 */
class ClientJsRoomsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static List<String> node() throws Exception {
        List<String> node = ClientJsDriver.nodeCommand();
        assumeTrue(!node.isEmpty(), "needs node 20+ with a WebSocket (the machine image has node 20)");
        return node;
    }

    private static int freePort() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    private static ObjectNode connectArgs(int port, String token) {
        ObjectNode a = args().put("url", "ws://127.0.0.1:" + port + "/ws").put("token", token);
        a.put("name", "node");
        return a;
    }

    private static List<String> texts(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("text").asText()).toList();
    }

    @Test
    void roomsServicesInboxAndBroadcastFromNode() throws Exception {
        List<String> node = node();
        Path dir = TestHubs.shortTempDir();
        int port = freePort();
        try (AgentwireHub hub = TestHubs.start(dir, b -> b.set("clientPort", Integer.toString(port)));
                AgentwireClient owner = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect();
                AgentwireClient member = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect();
                ClientJsDriver js = ClientJsDriver.start(node, dir)) {
            ObjectNode mint = args().put("sub", "nodey").put("ttlSeconds", 600);
            mint.putArray("scopes")
                    .add("rooms:read:lobby")
                    .add("rooms:write:lobby")
                    .add("services:request");
            String token = owner.request("tokens/create", mint)
                    .get(10, TimeUnit.SECONDS)
                    .path("token")
                    .asText();
            owner.services()
                    .serve(
                            "echo",
                            (request, ctx) -> CompletableFuture.completedFuture(args().put(
                                            "shout",
                                            request.data().path("text").asText().toUpperCase())))
                    .get(10, TimeUnit.SECONDS);
            List<JsonNode> heard = new CopyOnWriteArrayList<>();
            List<JsonNode> typing = new CopyOnWriteArrayList<>();
            List<JsonNode> broadcasts = new CopyOnWriteArrayList<>();
            member.onNotification("rooms/typing", typing::add);
            member.rooms().onBroadcast(broadcasts::add);
            member.rooms().join("lobby", heard::add).get(10, TimeUnit.SECONDS);
            owner.rooms().publish("lobby", "earlier", null).get(10, TimeUnit.SECONDS);

            assertThat(js.ok("connect", connectArgs(port, token)).path("inbox").asText())
                    .isEqualTo("@nodey");
            JsonNode joined = js.ok("joinRoom", args().put("room", "lobby").put("history", 10));
            assertThat(joined.path("offset").asLong()).isEqualTo(1);
            assertThat(texts(js.events("message"))).as("history first").containsExactly("earlier");
            JsonNode ack = js.ok("publish", args().put("room", "lobby").put("text", "from node"));
            assertThat(ack.path("offset").asLong()).isEqualTo(2);
            await().atMost(WAIT).until(() -> texts(heard).contains("from node"));
            assertThat(heard.get(heard.size() - 1).path("from").asText()).isEqualTo("nodey");
            owner.rooms().publish("lobby", "from java", null).get(10, TimeUnit.SECONDS);
            assertThat(texts(js.waitFor("message", l -> l.size() == 2)))
                    .as("its own message is not echoed")
                    .containsExactly("earlier", "from java");
            js.ok("typing", args().put("room", "lobby").put("state", "thinking"));
            await().atMost(WAIT).until(() -> typing.size() == 1);
            assertThat(typing.get(0).path("from").asText()).isEqualTo("nodey");
            assertThat(typing.get(0).path("state").asText()).isEqualTo("thinking");
            assertThat(js.ok("history", args().put("room", "lobby"))
                            .path("messages")
                            .size())
                    .isEqualTo(3);

            ObjectNode shout = args().put("service", "echo").put("action", "shout");
            shout.set("data", args().put("text", "hi"));
            assertThat(js.ok("requestService", shout).toString()).contains("\"shout\":\"HI\"");

            js.ok("joinInbox", args().put("history", 10));
            owner.rooms().sendTo("nodey", "psst", null).get(10, TimeUnit.SECONDS);
            List<JsonNode> dms = js.waitFor("dm", l -> l.size() == 1);
            assertThat(dms.get(0).path("text").asText()).isEqualTo("psst");
            assertThat(dms.get(0).path("room").asText()).isEqualTo("@nodey");

            JsonNode sent = js.ok("broadcast", args().put("text", "to all"));
            assertThat(sent.path("rooms").toString()).isEqualTo("[\"lobby\"]");
            assertThat(sent.path("delivered").asInt()).isEqualTo(1);
            await().atMost(WAIT).until(() -> broadcasts.size() == 1);
            assertThat(broadcasts.get(0).path("from").asText()).isEqualTo("nodey");
            assertThat(broadcasts.get(0).path("text").asText()).isEqualTo("to all");

            // What the page sees when the hub refuses.
            JsonNode other = js.call("joinRoom", args().put("room", "@someone-else"));
            assertThat(other.path("ok").asBoolean()).isFalse();
            assertThat(other.path("error").path("code").asInt()).isEqualTo(-32005);
            assertThat(other.path("error").path("reason").asText()).isEqualTo("not_your_inbox");
            assertThat(other.path("error").path("message").asText()).contains("only that identity reads it");
            JsonNode dm = js.call("sendTo", args().put("identity", "x").put("text", "no"));
            assertThat(dm.path("error").path("data").path("scope").asText()).isEqualTo("rooms:write:@x");
            ObjectNode badSince = args().put("method", "rooms/join");
            badSince.set("params", args().put("room", "lobby").put("since", "yesterday"));
            assertThat(js.call("raw", badSince).path("error").path("code").asInt())
                    .isEqualTo(-32602);
            assertThat(js.ok("publish", args().put("room", "lobby").put("text", "still here"))
                            .path("offset")
                            .asLong())
                    .as("the refusals lost nothing")
                    .isEqualTo(4);
        }
    }

    @Test
    void rejoinsWithSinceAfterTheHubRestartsSoNothingIsMissedOrRepeated() throws Exception {
        List<String> node = node();
        Path dir = TestHubs.shortTempDir();
        int port = freePort();
        String portText = Integer.toString(port);
        AgentwireHub first = TestHubs.start(dir, b -> b.set("clientPort", portText));
        AgentwireHub second = null;
        try (ClientJsDriver js = ClientJsDriver.start(node, dir)) {
            ObjectNode connect = connectArgs(port, first.token());
            // A reconnect 2 s after the loss: the restarted hub has a message for it by then.
            connect.putObject("backoff")
                    .put("initialMs", 2000)
                    .put("maxMs", 2000)
                    .put("jitter", 0);
            js.ok("connect", connect);
            js.ok("joinRoom", args().put("room", "lobby"));
            try (AgentwireClient owner = AgentwireClient.builder()
                    .endpoint(first.endpoint())
                    .reconnect(false)
                    .connect()) {
                owner.rooms().publish("lobby", "one", null).get(10, TimeUnit.SECONDS);
            }
            js.waitFor("message", l -> l.size() == 1);
            first.close();
            js.waitFor("disconnected", l -> !l.isEmpty());
            second = TestHubs.start(dir, b -> b.set("clientPort", portText));
            try (AgentwireClient owner = AgentwireClient.builder()
                    .endpoint(second.endpoint())
                    .reconnect(false)
                    .connect()) {
                owner.rooms().publish("lobby", "while it was away", null).get(10, TimeUnit.SECONDS);
                JsonNode rejoined = js.waitFor("rejoined", l -> !l.isEmpty()).get(0);
                assertThat(rejoined.path("room").asText()).isEqualTo("lobby");
                assertThat(rejoined.path("recovered").asBoolean())
                        .as("joined again with since {offset, epoch}")
                        .isTrue();
                owner.rooms().publish("lobby", "after", null).get(10, TimeUnit.SECONDS);
            }
            assertThat(texts(js.waitFor("message", l -> texts(l).contains("after"))))
                    .containsExactly("one", "while it was away", "after");
            assertThat(js.events("gap")).isEmpty();
            assertThat(js.events("reconnected")).hasSize(1);
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void givesUpAfterMaxReconnectAttemptsWithAClearError() throws Exception {
        List<String> node = node();
        Path dir = TestHubs.shortTempDir();
        int port = freePort();
        AgentwireHub hub = TestHubs.start(dir, b -> b.set("clientPort", Integer.toString(port)));
        try (ClientJsDriver js = ClientJsDriver.start(node, dir)) {
            ObjectNode connect = connectArgs(port, hub.token()).put("maxReconnectAttempts", 2);
            connect.putObject("backoff").put("initialMs", 50).put("maxMs", 50).put("jitter", 0);
            js.ok("connect", connect);
            hub.close();
            JsonNode failed = js.waitFor("reconnect_failed", l -> !l.isEmpty()).get(0);
            assertThat(failed.path("reason").asText()).isEqualTo("reconnect_failed");
            assertThat(failed.path("message").asText())
                    .isEqualTo("gave up reconnecting to ws://127.0.0.1:" + port
                            + "/ws after 2 attempts (maxReconnectAttempts=2)");
            assertThat(js.events("disconnected"))
                    .as("the loss, then two failed attempts")
                    .hasSize(3);
            JsonNode after = js.call("publish", args().put("room", "lobby").put("text", "x"));
            assertThat(after.path("error").path("reason").asText()).isEqualTo("reconnect_failed");
        } finally {
            hub.close();
        }
    }

    @Test
    void zeroNegativeOrFractionalMaxReconnectAttemptsAreRefused() throws Exception {
        List<String> node = node();
        Path dir = TestHubs.shortTempDir();
        int port = freePort();
        try (AgentwireHub hub = TestHubs.start(dir, b -> b.set("clientPort", Integer.toString(port)));
                ClientJsDriver js = ClientJsDriver.start(node, dir)) {
            for (double bad : new double[] {0, -1, 1.5}) {
                ObjectNode connect = connectArgs(port, hub.token()).put("maxReconnectAttempts", bad);
                JsonNode refused = js.call("connect", connect);
                assertThat(refused.path("ok").asBoolean()).isFalse();
                assertThat(refused.path("error").path("name").asText()).isEqualTo("RangeError");
                assertThat(refused.path("error").path("message").asText())
                        .startsWith("maxReconnectAttempts must be a whole number of at least 1");
            }
            assertThat(hub.core().connections()).as("nothing was opened").isEmpty();
        }
    }
}
