package dev.agentwire.server.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.NodeSocketIoClient;
import dev.agentwire.server.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a client that does not follow the protocol gets at {@code /socket.io/}: Engine.IO's errors for an unknown
 * session, version or transport, a close for garbage, 413 for a body over {@code maxPayload}, CONNECT_ERROR for an
 * unknown namespace, a clear refusal of binary attachments, 403 for a foreign Origin; events before CONNECT do
 * nothing; and a well-behaved client connected meanwhile is not disturbed.
 */
class SocketIoBadInputTest {

    private static final String SEP = "\u001e";

    private AgentwireHub hub;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(
                TestHubs.shortTempDir(), b -> b.set("socketio.maxPending", "3").set("socketio.maxPayload", "4096"));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private URI uri(String query) {
        return URI.create("http://127.0.0.1:" + hub.tcpPort().getAsInt() + "/socket.io/?" + query);
    }

    private HttpResponse<String> get(String query) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(query))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String query, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(query))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "text/plain;charset=UTF-8")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A polling session's id, after the handshake. */
    private String handshake() throws Exception {
        HttpResponse<String> open = get("EIO=4&transport=polling");
        assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
        assertThat(open.body()).startsWith("0{");
        JsonNode data = Json.mapper().readTree(open.body().substring(1));
        assertThat(data.path("maxPayload").asInt()).isEqualTo(4096);
        assertThat(data.path("upgrades").toString()).isEqualTo("[\"websocket\"]");
        return data.path("sid").asText();
    }

    /** A session whose main namespace is connected with the hub's token. */
    private String connected() throws Exception {
        String sid = handshake();
        ObjectNode auth = Json.mapper().createObjectNode().put("token", hub.token());
        assertThat(post("EIO=4&transport=polling&sid=" + sid, "40" + auth).body())
                .isEqualTo("ok");
        assertThat(get("EIO=4&transport=polling&sid=" + sid).body()).startsWith("40{\"sid\":");
        return sid;
    }

    private static void assertEngineError(HttpResponse<String> r, int status, int code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(Json.mapper().readTree(r.body()).path("code").asInt())
                .as(r.body())
                .isEqualTo(code);
    }

    @Test
    void badRequestsGetEngineIoErrorsAndAWellBehavedClientIsUndisturbed() throws Exception {
        try (NodeSocketIoClient good = NodeSocketIoClient.start()) {
            good.connect(
                    "http://127.0.0.1:" + hub.tcpPort().getAsInt(),
                    Json.mapper().createObjectNode().put("token", hub.token()));
            good.await(j -> j.path("type").asText().equals("connect"), Duration.ofSeconds(20));

            assertEngineError(get("EIO=4&transport=polling&sid=nope"), 400, 1);
            assertEngineError(post("EIO=4&transport=polling&sid=nope", "40"), 400, 1);
            assertEngineError(get("EIO=3&transport=polling"), 400, 5);
            assertEngineError(get("EIO=4&transport=flash"), 400, 0);
            assertEngineError(post("EIO=4&transport=polling", "40"), 400, 2);

            // Garbage at the Engine.IO level: the protocol's "bad request", and the session is gone.
            String sid = handshake();
            assertEngineError(post("EIO=4&transport=polling&sid=" + sid, "x-garbage"), 400, 3);
            assertEngineError(get("EIO=4&transport=polling&sid=" + sid), 400, 1);

            // Garbage at the Socket.IO level ends the session, as a Socket.IO server ends it ("parse error").
            sid = connected();
            assertThat(post("EIO=4&transport=polling&sid=" + sid, "42[\"send_message\", oops")
                            .body())
                    .isEqualTo("ok");
            assertEngineError(get("EIO=4&transport=polling&sid=" + sid), 400, 1);

            // A body over maxPayload: 413 before anything is read.
            HttpResponse<String> big = post("EIO=4&transport=polling&sid=" + handshake(), "4" + "x".repeat(5000));
            assertThat(big.statusCode()).isEqualTo(413);

            // The well-behaved client saw none of it.
            good.emit("room_joining", Json.mapper().createObjectNode().put("roomId", "lobby"), "join");
            assertThat(good.awaitAck("join")
                            .path("args")
                            .path(0)
                            .path("success")
                            .asBoolean())
                    .isTrue();
            assertThat(good.seen()).noneMatch(j -> j.path("type").asText().equals("disconnect"));
        }
    }

    @Test
    void anUnknownNamespaceGetsConnectError() throws Exception {
        String sid = handshake();
        post("EIO=4&transport=polling&sid=" + sid, "40/admin,{\"token\":\"" + hub.token() + "\"}");
        String answer = get("EIO=4&transport=polling&sid=" + sid).body();
        assertThat(answer).isEqualTo("44/admin,{\"message\":\"Invalid namespace\"}");
    }

    @Test
    void binaryAttachmentsAreRefusedClearly() throws Exception {
        String sid = connected();
        String binary = "451-[\"send_message\",{\"_placeholder\":true,\"num\":0}]" + SEP + "bAQID";
        assertThat(post("EIO=4&transport=polling&sid=" + sid, binary).body()).isEqualTo("ok");
        String answer = get("EIO=4&transport=polling&sid=" + sid).body();
        assertThat(answer).contains("messageError").contains("binary_not_supported");
        // The session goes on: a JSON event after it is answered.
        post("EIO=4&transport=polling&sid=" + sid, "421[\"room_joining\",{\"roomId\":\"lobby\"}]");
        assertThat(get("EIO=4&transport=polling&sid=" + sid).body()).startsWith("431[{\"success\":true");
    }

    @Test
    void eventsBeforeConnectDoNothing() throws Exception {
        try (AgentwireClient agent = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            String sid = handshake();
            post(
                    "EIO=4&transport=polling&sid=" + sid,
                    "42[\"send_message\",{\"roomId\":\"lobby\",\"text\":\"sneaky\"}]");
            JsonNode history = agent.rooms().history("lobby", 10).get(10, TimeUnit.SECONDS);
            assertThat(history.path("messages")).isEmpty();
        }
    }

    @Test
    void aForeignOriginIsRefused() throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(uri("EIO=4&transport=polling"))
                        .header("Origin", "http://evil.example")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("origin_not_allowed");
    }

    @Test
    void sessionsWaitingForAConnectAreBoundedAndExpire() throws Exception {
        handshake();
        handshake();
        handshake();
        HttpResponse<String> fourth = get("EIO=4&transport=polling");
        assertThat(fourth.statusCode()).as(fourth.body()).isEqualTo(503);
        // A session that connected its namespace no longer counts.
        try (AgentwireHub other = TestHubs.start(
                TestHubs.shortTempDir(),
                b -> b.set("socketio.maxPending", "1").set("socketio.connectTimeoutMs", "300"))) {
            URI u = URI.create(
                    "http://127.0.0.1:" + other.tcpPort().getAsInt() + "/socket.io/?EIO=4&transport=polling");
            HttpResponse<String> first =
                    http.send(HttpRequest.newBuilder(u).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(first.statusCode()).isEqualTo(200);
            String sid = Json.mapper()
                    .readTree(first.body().substring(1))
                    .path("sid")
                    .asText();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() ->
                            http.send(HttpRequest.newBuilder(u).GET().build(), HttpResponse.BodyHandlers.ofString())
                                            .statusCode()
                                    == 200);
            HttpResponse<String> expired = http.send(
                    HttpRequest.newBuilder(URI.create(u + "&sid=" + sid)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(expired.statusCode())
                    .as("the session that never connected expired")
                    .isEqualTo(400);
        }
    }
}
