package dev.agentwire.server.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The call log against a real hub: what is recorded, redacted and kept, and who may read it, over RPC and HTTP. */
class CallLogTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private AgentwireHub hub(UnaryOperator<AgentwireHub.Builder> tweak) throws Exception {
        AgentwireHub h = TestHubs.start(TestHubs.shortTempDir(), b -> tweak.apply(b.set("limits.ratePerSecond", "0")));
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

    /** A provider of {@code echo} (answers its arguments as text) and of service {@code svc}. */
    private AgentwireClient provider(AgentwireHub h) throws Exception {
        AgentwireClient p = client(h, "provider");
        p.tools()
                .register(
                        new ToolSpec("echo", "echoes", Json.mapper().readTree("{\"type\":\"object\"}")),
                        (a, ctx) -> CompletableFuture.completedFuture(
                                Json.mapper().getNodeFactory().textNode(a.toString())))
                .get(10, TimeUnit.SECONDS);
        p.tools()
                .register(
                        new ToolSpec("other", "another", Json.mapper().readTree("{\"type\":\"object\"}")),
                        (a, ctx) -> CompletableFuture.completedFuture(
                                Json.mapper().getNodeFactory().textNode("other")))
                .get(10, TimeUnit.SECONDS);
        p.services()
                .serve(
                        "svc",
                        (r, ctx) -> CompletableFuture.completedFuture(
                                Json.mapper().createObjectNode().put("ok", true)))
                .get(10, TimeUnit.SECONDS);
        return p;
    }

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    private static JsonNode list(AgentwireClient c, String params) throws Exception {
        return c.request("calls/list", json(params)).get(10, TimeUnit.SECONDS).path("calls");
    }

    /** Waits until {@code calls/list} with {@code params} has {@code n} records; returns them. */
    private static JsonNode awaitCalls(AgentwireClient c, String params, int n) throws Exception {
        JsonNode[] last = {null};
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            last[0] = list(c, params);
            return last[0].size() == n;
        });
        return last[0];
    }

    @Test
    void aToolCallIsRecordedWithNestedSecretsRedacted() throws Exception {
        AgentwireHub h = hub(b -> b);
        provider(h);
        AgentwireClient caller = client(h, "caller-1");
        JsonNode args = json("{\"user\":\"ada\",\"config\":{\"apiKey\":\"k-123\",\"list\":[{\"password\":\"p-456\"},"
                + "{\"keep\":1}]},\"Authorization\":\"Bearer t-789\",\"sessionToken\":{\"deep\":\"t-000\"}}");
        caller.tools().call("echo", args).get(10, TimeUnit.SECONDS);
        JsonNode r = awaitCalls(caller, "{\"tool\":\"echo\"}", 1).get(0);
        assertThat(r.path("kind").asText()).isEqualTo("tool");
        assertThat(r.path("target").asText()).isEqualTo("echo");
        assertThat(r.path("caller").asText()).isEqualTo("caller-1");
        assertThat(r.path("identity").asText()).startsWith("uid:");
        assertThat(r.path("session").asText()).isEqualTo("default");
        assertThat(r.path("id").asLong()).isPositive();
        assertThat(r.path("at").asLong())
                .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        assertThat(r.path("durationMs").asLong()).isNotNegative();
        assertThat(r.path("resultBytes").asLong()).isPositive();
        assertThat(r.path("resultDigest").asText()).matches("[0-9a-f]{64}");
        assertThat(r.path("error").isNull()).isTrue();
        assertThat(r.path("redacted").asBoolean()).isTrue();
        JsonNode a = r.path("arguments");
        assertThat(a.path("user").asText()).isEqualTo("ada");
        assertThat(a.path("config").path("apiKey").asText()).isEqualTo("[redacted]");
        assertThat(a.path("config").path("list").get(0).path("password").asText())
                .isEqualTo("[redacted]");
        assertThat(a.path("config").path("list").get(1).path("keep").asInt()).isEqualTo(1);
        assertThat(a.path("Authorization").asText()).isEqualTo("[redacted]");
        assertThat(a.path("sessionToken").asText())
                .as("a secret key's whole value")
                .isEqualTo("[redacted]");
        assertThat(r.toString()).doesNotContain("k-123", "p-456", "t-789", "t-000");

        // A call that fails is recorded with its error.
        assertThatThrownBy(() -> caller.tools().call("missing", json("{}")).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RpcException.class);
        JsonNode failed = awaitCalls(caller, "{\"tool\":\"missing\"}", 1).get(0);
        assertThat(failed.path("error").path("code").asInt()).isNotZero();
        assertThat(failed.path("error").path("message").asText()).contains("no live provider for tool missing");
        assertThat(failed.path("resultDigest").isNull()).isTrue();
        JsonNode status = caller.request("hub/status").get(10, TimeUnit.SECONDS).path("callLog");
        assertThat(status.path("recorded").asLong()).isEqualTo(2);
        assertThat(status.path("dropped").asLong()).isZero();
    }

    @Test
    void theRedactionRuleAndTheArgumentCapAreSettings() throws Exception {
        AgentwireHub h = hub(b -> b.set("calls.redact", "(?i)^user$").set("calls.maxArgumentBytes", "64"));
        provider(h);
        AgentwireClient caller = client(h, "caller");
        caller.tools().call("echo", json("{\"user\":\"ada\",\"apiKey\":\"k\"}")).get(10, TimeUnit.SECONDS);
        caller.tools()
                .call("echo", json("{\"blob\":\"" + "x".repeat(500) + "\"}"))
                .get(10, TimeUnit.SECONDS);
        JsonNode calls = awaitCalls(caller, "{\"tool\":\"echo\"}", 2);
        JsonNode small = calls.get(1).path("arguments");
        assertThat(small.path("user").asText()).isEqualTo("[redacted]");
        assertThat(small.path("apiKey").asText())
                .as("the default rule is replaced")
                .isEqualTo("k");
        JsonNode big = calls.get(0);
        assertThat(big.path("truncated").asBoolean()).isTrue();
        JsonNode mark = big.path("arguments").path("dev.agentwire/truncated");
        assertThat(mark.path("bytes").asInt()).isGreaterThan(500);
        assertThat(mark.path("head").asText()).startsWith("{\"blob\":\"xxx").hasSizeLessThanOrEqualTo(64);

        assertThatThrownBy(() -> TestHubs.start(TestHubs.shortTempDir(), b -> b.set("calls.redact", "(unclosed")))
                .hasMessageContaining("calls.redact");
    }

    @Test
    void retentionKeepsTheNewestRows() throws Exception {
        AgentwireHub h = hub(b -> b.set("calls.maxRows", "3"));
        provider(h);
        AgentwireClient caller = client(h, "caller");
        for (int i = 0; i < 5; i++) {
            caller.tools().call("echo", json("{\"i\":" + i + "}")).get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> caller.request("hub/status")
                                .get(10, TimeUnit.SECONDS)
                                .path("callLog")
                                .path("recorded")
                                .asLong()
                        == 5);
        JsonNode calls = list(caller, "{}");
        assertThat(calls).hasSize(3);
        assertThat(calls.get(0).path("arguments").path("i").asInt()).isEqualTo(4);
        assertThat(calls.get(2).path("arguments").path("i").asInt()).isEqualTo(2);
        assertThat(caller.request("hub/status")
                        .get(10, TimeUnit.SECONDS)
                        .path("callLog")
                        .path("pruned")
                        .asLong())
                .isEqualTo(2);
    }

    @Test
    void callsListFiltersAndRefusesBadInputAndNonAdmins() throws Exception {
        AgentwireHub h = hub(b -> b);
        provider(h);
        AgentwireClient caller = client(h, "alice");
        AgentwireClient other = client(h, "bob");
        caller.tools().call("echo", json("{}")).get(10, TimeUnit.SECONDS);
        caller.tools().call("other", json("{}")).get(10, TimeUnit.SECONDS);
        other.services().request("svc", "act", json("{\"q\":1}")).get(10, TimeUnit.SECONDS);
        awaitCalls(caller, "{}", 3);
        assertThat(list(caller, "{\"tool\":\"echo\"}")).hasSize(1);
        JsonNode svc = list(caller, "{\"service\":\"svc\"}");
        assertThat(svc).hasSize(1);
        assertThat(svc.get(0).path("kind").asText()).isEqualTo("service");
        assertThat(svc.get(0).path("target").asText()).isEqualTo("svc/act");
        assertThat(svc.get(0).path("arguments").path("q").asInt()).isEqualTo(1);
        assertThat(list(caller, "{\"service\":\"sv\"}"))
                .as("a service name is matched whole")
                .isEmpty();
        assertThat(list(caller, "{\"caller\":\"bob\"}")).hasSize(1);
        assertThat(list(caller, "{\"since\":\"10m\"}")).hasSize(3);
        assertThat(list(caller, "{\"since\":" + (System.currentTimeMillis() + 3_600_000) + "}"))
                .isEmpty();
        JsonNode one = list(caller, "{\"limit\":1}");
        assertThat(one).hasSize(1);
        assertThat(one.get(0).path("target").asText()).as("newest first").isEqualTo("svc/act");
        assertThat(list(caller, "{\"id\":" + one.get(0).path("id").asLong() + "}"))
                .hasSize(1);

        for (String bad : List.of(
                "{\"since\":\"soon\"}",
                "{\"since\":\"-5m\"}",
                "{\"limit\":0}",
                "{\"limit\":-1}",
                "{\"limit\":1000000}",
                "{\"limit\":\"ten\"}",
                "{\"tool\":5}",
                "{\"colour\":\"red\"}")) {
            assertThatThrownBy(() -> list(caller, bad))
                    .as(bad)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(RpcException.class)
                    .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(-32602))
                    .hasMessageContaining("calls/list");
        }

        ObjectNode mint = Json.mapper().createObjectNode().put("sub", "reader").put("ttlSeconds", 600);
        mint.putArray("scopes").add("tools:call").add("events:calls");
        String token = caller.request("tokens/create", mint)
                .get(10, TimeUnit.SECONDS)
                .path("token")
                .asText();
        AgentwireClient reader = AgentwireClient.builder()
                .endpoint("tcp://127.0.0.1:" + h.tcpPort().getAsInt())
                .token(token)
                .reconnect(false)
                .connect();
        open.add(reader);
        assertThatThrownBy(() -> list(reader, "{}"))
                .cause()
                .isInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(-32005));
        // Its events carry the same records: events:calls alone does not reach them either.
        assertThatThrownBy(() -> reader.request("events/subscribe", json("{\"categories\":[\"calls\"]}"))
                        .get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(-32005));
    }

    @Test
    void eachRecordedCallIsAnEvent() throws Exception {
        AgentwireHub h = hub(b -> b);
        provider(h);
        AgentwireClient watcher = client(h, "watcher");
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        watcher.onNotification("events/event", events::add);
        watcher.request("events/subscribe", json("{\"categories\":[\"calls\"]}"))
                .get(10, TimeUnit.SECONDS);
        AgentwireClient caller = client(h, "caller");
        caller.tools().call("echo", json("{\"token\":\"s3cret\"}")).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        JsonNode e = events.get(0);
        assertThat(e.path("category").asText()).isEqualTo("calls");
        assertThat(e.path("action").asText()).isEqualTo("recorded");
        assertThat(e.path("data").path("target").asText()).isEqualTo("echo");
        assertThat(e.path("data").path("id").asLong()).isPositive();
        assertThat(e.path("data").path("arguments").path("token").asText()).isEqualTo("[redacted]");
    }

    @Test
    void theLogCanBeTurnedOff() throws Exception {
        AgentwireHub h = hub(b -> b.set("calls.enabled", "false"));
        provider(h);
        AgentwireClient caller = client(h, "caller");
        caller.tools().call("echo", json("{}")).get(10, TimeUnit.SECONDS);
        JsonNode answer = caller.request("calls/list", json("{}")).get(10, TimeUnit.SECONDS);
        assertThat(answer.path("calls")).isEmpty();
        assertThat(answer.path("enabled").asBoolean(true)).isFalse();
        assertThat(caller.request("hub/status")
                        .get(10, TimeUnit.SECONDS)
                        .path("callLog")
                        .path("enabled")
                        .asBoolean(true))
                .isFalse();
    }

    @Test
    void apiCallsNeedsTheTokenAdminAndThisHubsHost() throws Exception {
        AgentwireHub h = hub(b -> b);
        provider(h);
        AgentwireClient caller = client(h, "caller");
        caller.tools().call("echo", json("{\"password\":\"pw\"}")).get(10, TimeUnit.SECONDS);
        awaitCalls(caller, "{}", 1);
        int port = h.tcpPort().getAsInt();
        HttpClient http = HttpClient.newHttpClient();
        java.util.function.BiFunction<String, String, HttpResponse<String>> get = (path, token) -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            try {
                return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(get.apply("/api/calls", null).statusCode()).as("no token").isEqualTo(401);
        HttpResponse<String> ok = get.apply("/api/calls?tool=echo&since=10m&limit=5", h.token());
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode calls = json(ok.body()).path("calls");
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).path("arguments").path("password").asText()).isEqualTo("[redacted]");
        assertThat(json(get.apply("/api/calls?tool=other", h.token()).body()).path("calls"))
                .isEmpty();
        HttpResponse<String> badSince = get.apply("/api/calls?since=yesterday", h.token());
        assertThat(badSince.statusCode()).isEqualTo(400);
        assertThat(badSince.body()).contains("since");
        assertThat(get.apply("/api/calls?limit=lots", h.token()).statusCode()).isEqualTo(400);
        assertThat(get.apply("/api/calls?limit=5000", h.token()).statusCode()).isEqualTo(400);

        ObjectNode mint = Json.mapper().createObjectNode().put("sub", "reader").put("ttlSeconds", 600);
        mint.putArray("scopes").add("tools:call");
        String token = caller.request("tokens/create", mint)
                .get(10, TimeUnit.SECONDS)
                .path("token")
                .asText();
        assertThat(get.apply("/api/calls", token).statusCode()).as("not admin").isEqualTo(403);

        // A foreign page's GET is let through as every /api GET is (docs/PROTOCOL.md section 3), but the answer
        // carries no CORS grant, so the page's script cannot read the log.
        HttpResponse<String> foreign = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/calls"))
                        .header("Authorization", "Bearer " + h.token())
                        .header("Origin", "http://evil.example")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        // A name that is not this hub's (DNS rebinding) is refused before any routing, token or not.
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream()
                    .write(("GET /api/calls HTTP/1.1\r\nHost: evil.example:" + port + "\r\nAuthorization: Bearer "
                                    + h.token() + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 403").doesNotContain("pw");
        }
    }
}
