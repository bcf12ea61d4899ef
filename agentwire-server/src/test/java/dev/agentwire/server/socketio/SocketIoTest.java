package dev.agentwire.server.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.NodeSocketIoClient;
import dev.agentwire.server.testing.TestHubs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real socket.io-client 4.8.4 (npm, Node 20) against the hub's {@code /socket.io/}: long-polling upgraded to a
 * WebSocket as the client does by default, and WebSocket only; joining, sending, acks, a socket agent's messages and
 * typing, ElizaOS's numeric form, refusals, and recovery of what a dropped client missed.
 */
class SocketIoTest {

    private AgentwireHub hub;
    private AgentwireClient agent;
    private final List<JsonNode> agentSaw = new CopyOnWriteArrayList<>();
    private final List<JsonNode> agentTyping = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir());
        agent = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
        agent.onNotification("rooms/typing", agentTyping::add);
        agent.rooms().join("lobby", agentSaw::add).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        agent.close();
        hub.close();
    }

    private String url() {
        return "http://127.0.0.1:" + hub.tcpPort().getAsInt();
    }

    private ObjectNode auth() {
        return Json.mapper().createObjectNode().put("token", hub.token());
    }

    private static ObjectNode obj() {
        return Json.mapper().createObjectNode();
    }

    @Test
    void theDefaultTransportsJoinSendAndSeeASocketAgent() throws Exception {
        try (NodeSocketIoClient sio = NodeSocketIoClient.start()) {
            sio.connect(url(), auth());
            sio.await(j -> j.path("type").asText().equals("connect"), Duration.ofSeconds(20));
            // Only a client that started with long-polling upgrades (it may do so before the CONNECT is answered).
            sio.await(
                    j -> j.path("type").asText().equals("upgrade")
                            && j.path("transport").asText().equals("websocket"),
                    Duration.ofSeconds(20));
            sio.awaitEvent("connection_established", a -> a.path("socketId").isTextual());
            roomTraffic(sio);
        }
    }

    @Test
    void webSocketOnlyDoesTheSame() throws Exception {
        try (NodeSocketIoClient sio = NodeSocketIoClient.start()) {
            sio.connect(url(), auth(), "websocket");
            JsonNode connected = sio.await(j -> j.path("type").asText().equals("connect"), Duration.ofSeconds(20));
            assertThat(connected.path("transport").asText()).isEqualTo("websocket");
            roomTraffic(sio);
        }
    }

    @Test
    void pollingOnlyDoesTheSame() throws Exception {
        try (NodeSocketIoClient sio = NodeSocketIoClient.start()) {
            sio.connect(url(), auth(), "polling");
            sio.await(j -> j.path("type").asText().equals("connect"), Duration.ofSeconds(20));
            roomTraffic(sio);
        }
    }

    /** Join with history, send with an ack that carries the stored message, and see the agent's message and typing. */
    private void roomTraffic(NodeSocketIoClient sio) throws Exception {
        agent.rooms().publish("lobby", "before the join", null).get(10, TimeUnit.SECONDS);
        sio.emit("room_joining", obj().put("roomId", "lobby").put("history", 5), "join");
        JsonNode joined = sio.awaitAck("join").path("args").path(0);
        assertThat(joined.path("success").asBoolean()).as("%s", joined).isTrue();
        sio.awaitEvent("message", m -> m.path("text").asText().equals("before the join"));

        sio.emit("send_message", obj().put("roomId", "lobby").put("text", "hello from socket.io"), "send");
        JsonNode ack = sio.awaitAck("send").path("args").path(0);
        assertThat(ack.path("success").asBoolean()).as("%s", ack).isTrue();
        JsonNode stored = ack.path("message");
        assertThat(stored.path("text").asText()).isEqualTo("hello from socket.io");
        assertThat(stored.path("offset").asLong()).isEqualTo(2);
        assertThat(stored.path("from").asText()).isEqualTo("token");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> agentSaw.stream()
                        .anyMatch(m -> m.path("text").asText().equals("hello from socket.io")
                                && m.path("id")
                                        .asText()
                                        .equals(stored.path("id").asText())));

        agent.rooms().publish("lobby", "hello from an agent", null).get(10, TimeUnit.SECONDS);
        JsonNode delivered =
                sio.awaitEvent("message", m -> m.path("text").asText().equals("hello from an agent"));
        assertThat(delivered.path("args").path(0).path("from").asText()).isEqualTo("uid:" + uid());
        assertThat(delivered.path("args").path(1).asText())
                .as("the delivery offset for recovery")
                .matches("[0-9]+");
        assertThat(sio.seen())
                .as("the sender does not get its own message back (socket.to(room))")
                .noneMatch(j -> j.path("event").asText().equals("message")
                        && j.path("args").path(0).path("text").asText().equals("hello from socket.io"));

        agent.request("rooms/typing", obj().put("room", "lobby").put("state", "thinking"))
                .get(10, TimeUnit.SECONDS);
        sio.awaitEvent(
                "thinking",
                t -> t.path("roomId").asText().equals("lobby")
                        && t.path("thinking").asBoolean());

        sio.emit("thinking", obj().put("roomId", "lobby"), null);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> agentTyping.stream()
                        .anyMatch(t -> t.path("state").asText().equals("thinking")
                                && t.path("from").asText().equals("token")));
    }

    private static long uid() throws Exception {
        return (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
    }

    @Test
    void elizaOsNumericMessagesAreUnderstood() throws Exception {
        try (NodeSocketIoClient sio = NodeSocketIoClient.start()) {
            sio.connect(url(), auth());
            sio.awaitEvent("connection_established", a -> true);
            sio.emit("message", obj().put("type", 1).set("payload", obj().put("channelId", "lobby")), null);
            sio.awaitEvent("channel_joined", j -> j.path("roomId").asText().equals("lobby"));
            ObjectNode payload = obj().put("channelId", "lobby")
                    .put("message", "eliza says hi")
                    .put("messageId", "client-1")
                    .put("senderId", "someone");
            sio.emit("message", obj().put("type", 2).set("payload", payload), null);
            JsonNode ack = sio.awaitEvent(
                    "messageAck", a -> a.path("clientMessageId").asText().equals("client-1"));
            assertThat(ack.path("args").path(0).path("message").path("offset").asLong())
                    .isPositive();
            JsonNode echo = sio.awaitEvent(
                    "messageBroadcast", m -> m.path("text").asText().equals("eliza says hi"));
            assertThat(echo.path("args").path(0).path("channelId").asText()).isEqualTo("lobby");
            assertThat(echo.path("args").path(0).path("senderId").asText()).isEqualTo("token");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> agentSaw.stream()
                            .anyMatch(m -> m.path("text").asText().equals("eliza says hi")));
            agent.rooms().publish("lobby", "agent to eliza", null).get(10, TimeUnit.SECONDS);
            sio.awaitEvent("messageBroadcast", m -> m.path("text").asText().equals("agent to eliza"));

            sio.emit("message", obj().put("type", 9).set("payload", obj()), null);
            sio.awaitEvent("messageError", e -> e.path("reason").asText().equals("invalid_event"));
        }
    }

    @Test
    void aClientWithoutATokenOrWithABadOneGetsConnectError() throws Exception {
        try (NodeSocketIoClient none = NodeSocketIoClient.start();
                NodeSocketIoClient bad = NodeSocketIoClient.start()) {
            ObjectNode noReconnect =
                    NodeSocketIoClient.op("connect").put("url", url()).put("reconnection", false);
            none.send(noReconnect.deepCopy());
            JsonNode refused = none.await(j -> j.path("type").asText().equals("connect_error"), Duration.ofSeconds(20));
            assertThat(refused.path("message").asText()).contains("token is required");
            assertThat(refused.path("data").path("reason").asText()).isEqualTo("unauthenticated");

            ObjectNode withBad = noReconnect.deepCopy();
            withBad.set("auth", obj().put("token", "not-a-token"));
            bad.send(withBad);
            JsonNode badRefused =
                    bad.await(j -> j.path("type").asText().equals("connect_error"), Duration.ofSeconds(20));
            assertThat(badRefused.path("data").path("code").asInt())
                    .as("%s", badRefused)
                    .isEqualTo(-32005);
            assertThat(badRefused.path("message").asText()).isNotEmpty();
            assertThat(none.seen()).noneMatch(j -> j.path("type").asText().equals("connect"));
        }
    }

    @Test
    void aDroppedClientRecoversWhatItMissed() throws Exception {
        try (NodeSocketIoClient sio = NodeSocketIoClient.start()) {
            ObjectNode c = NodeSocketIoClient.op("connect").put("url", url()).put("delay", 1500);
            c.set("auth", auth());
            sio.send(c);
            JsonNode first = sio.await(j -> j.path("type").asText().equals("connect"), Duration.ofSeconds(20));
            String id = first.path("id").asText();
            sio.emit("room_joining", obj().put("roomId", "lobby").put("history", 0), "join");
            sio.awaitAck("join");
            agent.rooms().publish("lobby", "one", null).get(10, TimeUnit.SECONDS);
            sio.awaitEvent("message", m -> m.path("text").asText().equals("one"));

            sio.send(NodeSocketIoClient.op("drop"));
            sio.await(j -> j.path("type").asText().equals("disconnect"), Duration.ofSeconds(20));
            agent.rooms().publish("lobby", "two", null).get(10, TimeUnit.SECONDS);
            agent.rooms().publish("lobby", "three", null).get(10, TimeUnit.SECONDS);

            JsonNode again = sio.await(
                    j -> j.path("type").asText().equals("connect")
                            && j != first
                            && !j.path("id").isMissingNode()
                            && j.path("recovered").isBoolean()
                            && j.path("recovered").asBoolean(),
                    Duration.ofSeconds(20));
            assertThat(again.path("id").asText())
                    .as("a recovered socket keeps its id")
                    .isEqualTo(id);
            sio.awaitEvent("message", m -> m.path("text").asText().equals("two"));
            sio.awaitEvent("message", m -> m.path("text").asText().equals("three"));
            agent.rooms().publish("lobby", "four", null).get(10, TimeUnit.SECONDS);
            sio.awaitEvent("message", m -> m.path("text").asText().equals("four"));
            assertThat(sio.seen().stream()
                            .filter(j -> j.path("event").asText().equals("message"))
                            .map(j -> j.path("args").path(0).path("text").asText()))
                    .as("each message once, in order")
                    .containsExactly("one", "two", "three", "four");
        }
    }
}
