package dev.agentwire.server.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What A2A's endpoints refuse: no token (401), a foreign Origin (403), an unknown service's card (404), an
 * unsupported {@code A2A-Version} (-32009), an unknown method (-32601), a body that is not JSON (-32700), a message
 * without a text or data part, another identity's task (TaskNotFound), a token without {@code services:request}
 * (the task fails with the hub's -32005), and other HTTP methods (405).
 */
class A2aBadInputTest {

    private AgentwireHub hub;
    private AgentwireClient agent;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir());
        agent = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
        agent.services()
                .serve("echo", (req, ctx) -> CompletableFuture.completedFuture(req.data()))
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        agent.close();
        hub.close();
    }

    private HttpRequest.Builder post(String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + hub.tcpPort().getAsInt() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private JsonNode rpc(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(r.body());
    }

    private static String send(String parts) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m\","
                + "\"role\":\"ROLE_USER\",\"parts\":" + parts + "}}}";
    }

    private String mint(String sub, String... scopes) throws Exception {
        ObjectNode p = Json.mapper().createObjectNode().put("sub", sub).put("ttlSeconds", 600);
        var s = p.putArray("scopes");
        for (String x : scopes) {
            s.add(x);
        }
        return agent.request("tokens/create", p)
                .get(10, TimeUnit.SECONDS)
                .path("token")
                .asText();
    }

    @Test
    void strangersForeignPagesAndUnknownServicesAreRefused() throws Exception {
        HttpResponse<String> none = http.send(
                post("/a2a/echo", send("[{\"text\":\"hi\"}]"), null).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        HttpResponse<String> card = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + hub.tcpPort().getAsInt() + "/a2a/echo/.well-known/agent-card.json"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(card.statusCode()).as("a card needs a secret too").isEqualTo(401);
        HttpResponse<String> foreign = http.send(
                post("/a2a/echo", send("[{\"text\":\"hi\"}]"), hub.token())
                        .header("Origin", "http://evil.example")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(403);
        HttpResponse<String> unknown = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + hub.tcpPort().getAsInt() + "/a2a/nope/.well-known/agent-card.json"))
                        .header("Authorization", "Bearer " + hub.token())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> put = http.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + hub.tcpPort().getAsInt() + "/a2a/echo"))
                        .header("Authorization", "Bearer " + hub.token())
                        .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
    }

    @Test
    void badRequestsGetA2aErrorsAndGoodOnesStillWork() throws Exception {
        assertThat(rpc(post("/a2a/echo", send("[{\"text\":\"hi\"}]"), hub.token())
                                .header("A2A-Version", "9.9"))
                        .path("error")
                        .path("code")
                        .asInt())
                .isEqualTo(-32009);
        assertThat(rpc(post("/a2a/echo", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"Nope\"}", hub.token()))
                        .path("error")
                        .path("code")
                        .asInt())
                .isEqualTo(-32601);
        assertThat(rpc(post("/a2a/echo", "{oops", hub.token()))
                        .path("error")
                        .path("code")
                        .asInt())
                .isEqualTo(-32700);
        assertThat(rpc(post("/a2a/echo", send("[{\"url\":\"http://x\"}]"), hub.token()))
                        .path("error")
                        .path("code")
                        .asInt())
                .as("no text or data part")
                .isEqualTo(-32005);
        assertThat(rpc(post(
                                "/a2a/echo",
                                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{}}",
                                hub.token()))
                        .path("error")
                        .path("code")
                        .asInt())
                .isEqualTo(-32602);

        JsonNode ok = rpc(post("/a2a/echo", send("[{\"text\":\"hi\"}]"), hub.token()));
        assertThat(ok.path("result").path("task").path("status").path("state").asText())
                .as("%s", ok)
                .isEqualTo("TASK_STATE_COMPLETED");
        String id = ok.path("result").path("task").path("id").asText();

        String bob = mint("bob", "services:request");
        JsonNode stolen = rpc(post(
                "/a2a/echo",
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"GetTask\",\"params\":{\"id\":\"" + id + "\"}}",
                bob));
        assertThat(stolen.path("error").path("code").asInt())
                .as("another identity's task")
                .isEqualTo(-32001);

        String reader = mint("carol", "rooms:read:*");
        JsonNode refused = rpc(post("/a2a/echo", send("[{\"text\":\"hi\"}]"), reader));
        assertThat(refused.path("result")
                        .path("task")
                        .path("status")
                        .path("state")
                        .asText())
                .as("%s", refused)
                .isEqualTo("TASK_STATE_FAILED");
        assertThat(refused.toString()).contains("services:request");
    }
}
