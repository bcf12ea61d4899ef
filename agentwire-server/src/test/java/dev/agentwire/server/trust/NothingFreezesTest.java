package dev.agentwire.server.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nothing a client sends may hold an event loop or run without a bound (issue 11, findings 2 and 9): a
 * catastrophic schema pattern, a batch too large to answer, a batch with too many calls.
 */
class NothingFreezesTest {

    private AgentwireHub hub;
    private AgentwireClient owner;

    @BeforeEach
    void start() throws Exception {
        Path dir = TestHubs.shortTempDir();
        hub = TestHubs.start(dir, b -> b.set("limits.maxOutboundBytes", "65536").set("limits.maxBatchEntries", "50"));
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

    /**
     * Finding 2 as it was run: a tool whose schema holds {@code ((a+)+)+b}, called from two connections with 48
     * a's, pinned both I/O threads; hub/ping on the Unix socket and /health timed out.
     */
    @Test
    @Timeout(120)
    void aCatastrophicPatternDoesNotFreezeTheHub() throws Exception {
        owner.request(
                        "tools/register",
                        Json.mapper()
                                .readTree("{\"tools\":[{\"name\":\"evil\",\"description\":\"d\",\"inputSchema\":"
                                        + "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\","
                                        + "\"pattern\":\"((a+)+)+b\"}}}}]}"))
                .get(10, TimeUnit.SECONDS);
        int port = hub.tcpPort().getAsInt();
        String call = "{\"name\":\"evil\",\"arguments\":{\"s\":\"" + "a".repeat(48) + "\"}}";
        try (RawConnection a = RawConnection.tcp(port);
                RawConnection b = RawConnection.tcp(port)) {
            for (RawConnection c : new RawConnection[] {a, b}) {
                c.request(0, "hub/hello", "{\"token\":\"" + hub.token() + "\"}");
                c.readJson(Duration.ofSeconds(10));
                c.request(1, "tools/call", call);
            }
            assertThat(owner.request("hub/ping", Json.mapper().createObjectNode(), Duration.ofSeconds(5))
                            .get(10, TimeUnit.SECONDS)
                            .path("pong")
                            .asBoolean())
                    .as("hub/ping on the Unix socket answers while the calls are checked")
                    .isTrue();
            HttpResponse<String> health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            for (RawConnection c : new RawConnection[] {a, b}) {
                JsonNode answer = c.readJson(Duration.ofSeconds(30));
                assertThat(answer.path("error").path("code").asInt())
                        .as("the arguments do not match the pattern: %s", answer)
                        .isEqualTo(-32602);
                assertThat(answer.path("error").path("data").path("reason").asText())
                        .isEqualTo("invalid_arguments");
            }
        }
    }

    /** Finding 2: a pattern the linear engine cannot run is refused when the tool is registered. */
    @Test
    void aBackreferenceIsRefusedAtRegistration() throws Exception {
        var e = dev.agentwire.server.testing.RpcFailures.rpcError(owner.request(
                "tools/register",
                Json.mapper()
                        .readTree("{\"tools\":[{\"name\":\"br\",\"description\":\"d\",\"inputSchema\":"
                                + "{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\","
                                + "\"pattern\":\"(a)\\\\1\"}}}}]}")));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).contains("(a)\\1", "not taken", "no backreferences");
    }

    /** Finding 9: a batch whose answer exceeds limits.maxOutboundBytes closed the connection with no reason. */
    @Test
    void aBatchTooLargeToAnswerIsRefusedWithTheLimitAndTheConnectionGoesOn() throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 45; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append("{\"jsonrpc\":\"2.0\",\"id\":")
                    .append(i)
                    .append(",\"method\":\"tools/list\"}");
        }
        batch.append("]");
        for (int i = 0; i < 40; i++) {
            owner.request(
                            "tools/register",
                            Json.mapper()
                                    .readTree("{\"tools\":[{\"name\":\"t" + i + "\",\"description\":\"" + "d".repeat(40)
                                            + "\",\"inputSchema\":{\"type\":\"object\"}}]}"))
                    .get(10, TimeUnit.SECONDS);
        }
        try (RawConnection c = RawConnection.unix(Path.of(hub.endpoint().substring("unix:".length())))) {
            c.sendLine(batch.toString());
            JsonNode answer = c.readJson(Duration.ofSeconds(20));
            assertThat(answer.path("error").path("code").asInt())
                    .as("%.300s", answer)
                    .isEqualTo(-32006);
            assertThat(answer.path("error").path("data").path("limit").asLong()).isEqualTo(65536);
            assertThat(answer.path("error").path("data").path("size").asLong()).isGreaterThan(65536);
            assertThat(answer.path("error").path("message").asText()).contains("limits.maxOutboundBytes");
            c.request(99, "hub/ping", "{}");
            assertThat(c.readJson(Duration.ofSeconds(10))
                            .path("result")
                            .path("pong")
                            .asBoolean())
                    .as("the connection goes on")
                    .isTrue();
        }
    }

    /** A batch with more calls than limits.maxBatchEntries is refused before any of it runs. */
    @Test
    void aBatchWithTooManyCallsIsRefusedBeforeItRuns() throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 51; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append("{\"jsonrpc\":\"2.0\",\"id\":")
                    .append(i)
                    .append(",\"method\":\"rooms/publish\",\"params\":{\"room\":\"batch\",\"text\":\"m\"}}");
        }
        batch.append("]");
        try (RawConnection c = RawConnection.unix(Path.of(hub.endpoint().substring("unix:".length())))) {
            c.sendLine(batch.toString());
            JsonNode answer = c.readJson(Duration.ofSeconds(20));
            assertThat(answer.path("error").path("code").asInt())
                    .as("%.300s", answer)
                    .isEqualTo(-32006);
            assertThat(answer.path("error").path("data").path("limit").asInt()).isEqualTo(50);
            assertThat(answer.path("error").path("data").path("size").asInt()).isEqualTo(51);
        }
        assertThat(owner.rooms().history("batch", 100).get(10, TimeUnit.SECONDS).path("messages"))
                .as("nothing in the refused batch ran")
                .isEmpty();
    }
}
