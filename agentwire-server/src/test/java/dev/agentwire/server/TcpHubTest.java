package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loopback TCP port: token authentication, the hello deadline, sniffed framings and HTTP. */
class TcpHubTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private AgentwireHub hub;
    private int port;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("limits.helloTimeoutMs", "400"));
        port = hub.tcpPort().getAsInt();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void bindsLoopbackOnly() {
        assertThat(hub.config().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void aRequestBeforeHelloIsRefusedAndClosed() throws Exception {
        try (RawConnection c = RawConnection.tcp(port)) {
            JsonNode e = c.request(1, "hub/status", null).readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32005);
            assertThat(e.path("error").path("message").asText()).contains("hub/hello");
            c.assertClosedWithin(WAIT);
        }
    }

    @Test
    void aSilentClientIsClosedAtTheHelloDeadline() throws Exception {
        try (RawConnection c = RawConnection.tcp(port)) {
            c.assertClosedWithin(WAIT);
        }
        try (RawConnection c = RawConnection.tcp(port)) {
            c.sendLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            JsonNode e = c.readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32005);
            c.assertClosedWithin(WAIT);
        }
    }

    @Test
    void helloWithoutTokenOrWithAWrongOneIsRefused() throws Exception {
        try (RawConnection c = RawConnection.tcp(port)) {
            JsonNode e = c.request(1, "hub/hello", "{\"name\":\"x\"}").readJson();
            assertThat(e.path("error").path("data").path("reason").asText()).isEqualTo("token_required");
            c.assertClosedWithin(WAIT);
        }
        try (RawConnection c = RawConnection.tcp(port)) {
            JsonNode e = c.request(1, "hub/hello", "{\"token\":\"nope\"}").readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32005);
            assertThat(e.path("error").path("data").path("reason").asText()).isEqualTo("bad_token");
            c.assertClosedWithin(WAIT);
        }
    }

    @Test
    void helloWithTheTokenAuthenticatesAndOutlivesTheDeadline() throws Exception {
        try (RawConnection c = RawConnection.tcp(port)) {
            JsonNode hello = c.request(1, "hub/hello", "{\"token\":\"" + hub.token() + "\",\"name\":\"t\"}")
                    .readJson();
            assertThat(hello.path("result").path("authenticated").asBoolean()).isTrue();
            assertThat(hello.path("result").path("peer").path("transport").asText())
                    .isEqualTo("tcp");
            // Past the 400 ms deadline the connection is still served: wait for a reply sent after it.
            long deadline = System.nanoTime() + Duration.ofMillis(800).toNanos();
            int id = 2;
            while (System.nanoTime() < deadline) {
                assertThat(c.request(id, "hub/ping", null).readJson().path("id").asInt())
                        .isEqualTo(id);
                id++;
            }
            assertThat(c.isClosedByPeer()).isFalse();
        }
    }

    @Test
    void typedFramesWorkOverTcpAfterHello() throws Exception {
        try (RawConnection c = RawConnection.tcp(port)) {
            byte[] hello = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/hello\",\"params\":{\"token\":\""
                            + hub.token() + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            c.send(FrameEncoding.typed(0x10, hello));
            byte[] h = c.readBytes(5, WAIT);
            assertThat(h[0]).isEqualTo((byte) 0x10);
            JsonNode r =
                    Json.mapper().readTree(c.readBytes(ByteBuffer.wrap(h, 1, 4).getInt(), WAIT));
            assertThat(r.path("result").path("authenticated").asBoolean()).isTrue();
        }
    }

    @Test
    void healthNeedsNoTokenAndOtherPathsNeedOne() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("content-type")).contains("application/json");
        JsonNode body = Json.mapper().readTree(health.body());
        assertThat(body.path("status").asText()).isEqualTo("healthy");
        assertThat(body.path("version").asText()).isNotEmpty();
        assertThat(body.path("uptimeMs").asLong()).isNotNegative();
        assertThat(body.path("connections").isIntegralNumber()).isTrue();
        assertThat(body.path("interfaces").toString()).contains("unix-sockets");
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nope"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("without a secret every path but the open ones is 401")
                .isEqualTo(401);
        HttpResponse<String> missing = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nope"))
                        .header("Authorization", "Bearer " + hub.token())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Json.mapper()
                        .readTree(missing.body())
                        .path("error")
                        .path("reason")
                        .asText())
                .isEqualTo("not_found");
    }
}
