package dev.agentwire.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API on the TCP port: token, routes, statuses, /metrics and /health. */
class HttpApiTest {

    /** A Prometheus text-format sample line: name, optional labels, a value. */
    private static final Pattern SAMPLE =
            Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\",?)*\\})? "
                    + "(-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)( -?[0-9]+)?");

    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

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

    private AgentwireClient client(AgentwireHub h) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(h.endpoint())
                .reconnect(false)
                .connect();
        open.add(c);
        return c;
    }

    private HttpResponse<String> send(AgentwireHub h, String method, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + h.tcpPort().getAsInt() + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }

    @Test
    void healthIsOpenAndHasTheSeedsFields() throws Exception {
        AgentwireHub h = hub(b -> b);
        HttpResponse<String> r = send(h, "GET", "/health", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode health = json(r);
        assertThat(health.path("status").asText()).isEqualTo("healthy");
        assertThat(health.path("agents").asInt()).isZero();
        assertThat(health.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(health.path("interfaces").toString()).contains("unix-sockets", "websocket", "http");
        assertThat(health.path("llm_router").has("current_spend"))
                .as("the day's spend needs the router scope")
                .isFalse();
        JsonNode router = json(send(h, "GET", "/health", null, h.token())).path("llm_router");
        assertThat(router.path("daily_budget").asDouble()).isEqualTo(100.0);
        assertThat(router.path("current_spend").asDouble()).isZero();
        assertThat(router.path("remaining").asDouble()).isEqualTo(100.0);
        assertThat(router.has("utilization_pct")).isTrue();
        assertThat(health.path("uptimeMs").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(health.path("version").asText()).isNotEmpty();
        // Spend recorded through the API shows in /health.
        HttpResponse<String> rec = send(
                h, "POST", "/api/router/record", "{\"provider\":\"Claude Sonnet 4\",\"tokens\":1000000}", h.token());
        assertThat(rec.statusCode()).isEqualTo(200);
        JsonNode after = json(send(h, "GET", "/health", null, h.token())).path("llm_router");
        assertThat(after.path("current_spend").asDouble()).isEqualTo(15.0);
        assertThat(after.path("utilization_pct").asDouble()).isEqualTo(15.0);
    }

    @Test
    void theDaysSpendOutlivesARestartAndABadSpendFileStopsTheStart() throws Exception {
        java.nio.file.Path dir = TestHubs.shortTempDir();
        AgentwireHub first = TestHubs.start(dir, b -> b);
        HttpResponse<String> rec = send(
                first,
                "POST",
                "/api/router/record",
                "{\"provider\":\"GPT-4 Turbo\",\"tokens\":2000000}",
                first.token());
        assertThat(rec.statusCode()).isEqualTo(200);
        first.close();
        java.nio.file.Path file = dir.resolve("home").resolve("router-spend.json");
        assertThat(java.nio.file.Files.getPosixFilePermissions(file))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        AgentwireHub second = TestHubs.start(dir, b -> b);
        open.add(second);
        JsonNode budget =
                json(send(second, "GET", "/health", null, second.token())).path("llm_router");
        assertThat(budget.path("current_spend").asDouble()).isEqualTo(20.0);
        assertThat(budget.path("remaining").asDouble()).isEqualTo(80.0);
        second.close();

        // A spend file from an earlier day is yesterday's spend: today starts at 0.
        java.nio.file.Files.writeString(file, "{\"day\":\"2020-01-01\",\"spend\":99}");
        AgentwireHub third = TestHubs.start(dir, b -> b);
        open.add(third);
        assertThat(json(send(third, "GET", "/health", null, third.token()))
                        .path("llm_router")
                        .path("current_spend")
                        .asDouble())
                .isZero();
        third.close();

        // A file that is not a spend record stops the hub, naming the file; it is left as it was.
        for (String bad : List.of(
                "{not json", "{\"day\":\"yesterday\",\"spend\":1}", "{\"day\":\"2026-11-22\",\"spend\":-5}", "[]")) {
            java.nio.file.Files.writeString(file, bad);
            assertThatThrownBy(() -> TestHubs.start(dir, b -> b))
                    .isInstanceOf(dev.agentwire.server.HubStartException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("fix it or delete it");
            assertThat(java.nio.file.Files.readString(file)).isEqualTo(bad);
        }
    }

    @Test
    void metricsParseAsPrometheusText() throws Exception {
        AgentwireHub h = hub(b -> b);
        AgentwireClient c = client(h);
        c.request("hub/ping").get(10, TimeUnit.SECONDS);
        assertThat(send(h, "GET", "/metrics", null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> r = send(h, "GET", "/metrics", null, h.token());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        for (String line : r.body().lines().toList()) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                assertThat(line).matches("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");
            } else {
                assertThat(line).matches(SAMPLE);
            }
        }
        assertThat(r.body())
                .contains("agentwire_connections{transport=\"unix\"} 1.0")
                .contains("agentwire_requests_seconds_count{method=\"hub/ping\",outcome=\"ok\"} 1")
                .contains("agentwire_requests_seconds_bucket{method=\"hub/ping\",outcome=\"ok\",le=\"0.001\"}")
                .contains("agentwire_bytes_received_bytes_total")
                .contains("agentwire_bytes_sent_bytes_total")
                .contains("agentwire_slow_consumers_total 0.0")
                .contains("agentwire_dropped_ephemeral_total 0.0")
                .contains("agentwire_rate_limited_total 0.0")
                .contains("agentwire_service_instances 0.0");
    }

    @Test
    void listingsAndCallsAnswerJson() throws Exception {
        AgentwireHub h = hub(b -> b);
        AgentwireClient provider = client(h);
        provider.tools()
                .register(
                        new ToolSpec(
                                "shout",
                                "upper-cases text",
                                Json.mapper()
                                        .readTree(
                                                "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}")),
                        (args, ctx) -> CompletableFuture.completedFuture(Json.mapper()
                                .createObjectNode()
                                .put("text", args.path("text").asText().toUpperCase(java.util.Locale.ROOT))))
                .get(10, TimeUnit.SECONDS);
        provider.services()
                .serve("echo", (req, ctx) -> CompletableFuture.completedFuture(req.data()))
                .get(10, TimeUnit.SECONDS);
        provider.rooms().join("lobby", m -> {}).get(10, TimeUnit.SECONDS);
        String t = h.token();
        assertThat(json(send(h, "GET", "/api/tools", null, t))
                        .path("tools")
                        .get(0)
                        .path("name")
                        .asText())
                .isEqualTo("shout");
        assertThat(json(send(h, "GET", "/api/services", null, t))
                        .path("services")
                        .get(0)
                        .path("name")
                        .asText())
                .isEqualTo("echo");
        assertThat(json(send(h, "GET", "/api/rooms", null, t)).path("rooms").toString())
                .contains("lobby");
        assertThat(json(send(h, "GET", "/api/sessions", null, t)).toString()).contains("default");
        HttpResponse<String> call = send(h, "POST", "/api/tools/shout/call", "{\"text\":\"hi\"}", t);
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(json(call).path("structuredContent").path("text").asText()).isEqualTo("HI");
        HttpResponse<String> svc = send(h, "POST", "/api/services/echo/anything", "{\"n\":5}", t);
        assertThat(svc.statusCode()).isEqualTo(200);
        assertThat(json(svc).path("status").asText()).isEqualTo("success");
        assertThat(json(svc).path("data").path("n").asInt()).isEqualTo(5);
        HttpResponse<String> route = send(
                h,
                "POST",
                "/api/route-llm",
                "{\"token_count\": 5000, \"task_type\": \"coding\", \"priority\": \"high\"}",
                t);
        assertThat(route.statusCode()).isEqualTo(200);
        assertThat(json(route).path("provider").asText()).isNotEmpty();
        assertThat(json(route).has("reasoning")).isTrue();
        assertThat(json(route).has("estimated_cost")).isTrue();
        assertThat(json(route).has("confidence")).isTrue();
    }

    @Test
    void errorsCarryHubCodesAndMatchingStatuses() throws Exception {
        AgentwireHub h = hub(b -> b);
        String t = h.token();
        // 401: no token, a wrong token.
        HttpResponse<String> r = send(h, "GET", "/api/services", null, null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).path("error").path("code").asInt()).isEqualTo(-32005);
        assertThat(r.headers().firstValue("www-authenticate")).isPresent();
        assertThat(send(h, "GET", "/api/services", null, "wrong").statusCode()).isEqualTo(401);
        // 403: a scoped token without services:request.
        String reader = h.core()
                .tokens()
                .mint("reader", List.of("rooms:read:*"), Duration.ofMinutes(5))
                .token();
        r = send(h, "POST", "/api/services/any/x", "{}", reader);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("services:request");
        r = send(h, "GET", "/metrics", null, reader);
        assertThat(r.statusCode()).as("/metrics is the owner's (admin)").isEqualTo(403);
        assertThat(r.body()).contains("admin");
        // 404 and 405.
        r = send(h, "GET", "/api/nothing-here", null, t);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).path("error").path("message").asText()).contains("/api/nothing-here");
        r = send(h, "DELETE", "/api/services", null, t);
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("GET");
        // 400: a body that is not JSON; a negative token_count.
        r = send(h, "POST", "/api/route-llm", "{not json", t);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("error").path("code").asInt()).isEqualTo(-32700);
        r = send(h, "POST", "/api/route-llm", "{\"token_count\": -1}", t);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("error").path("message").asText()).contains("token_count must be zero or more");
        // 503: no provider for a tool, no instance for a service.
        r = send(h, "POST", "/api/tools/missing/call", "{}", t);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).path("error").path("code").asInt()).isEqualTo(-32002);
        r = send(h, "POST", "/api/services/nobody/x", "{}", t);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).path("error").path("code").asText()).isEqualTo("NO_RESPONDERS");
        // 504: an instance that does not answer in time.
        AgentwireClient slow = client(h);
        slow.services().serve("slow", (req, ctx) -> new CompletableFuture<>()).get(10, TimeUnit.SECONDS);
        r = send(h, "POST", "/api/services/slow/x?timeoutMs=200", "{}", t);
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(json(r).path("error").path("code").asText()).isEqualTo("TIMEOUT");
    }

    @Test
    void aKeepAliveClientOverItsRateGets429WithRetryAfter() throws Exception {
        AgentwireHub h = hub(b -> b);
        h.close();
        AgentwireHub limited = TestHubs.start(
                TestHubs.shortTempDir(), b -> b.set("limits.ratePerSecond", "1").set("limits.rateBurst", "2"));
        open.add(limited);
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(send(limited, "GET", "/api/services", null, limited.token()));
        }
        HttpResponse<String> refused = answers.stream()
                .filter(a -> a.statusCode() == 429)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no 429 in "
                        + answers.stream().map(HttpResponse::statusCode).toList()));
        assertThat(answers.get(0).statusCode()).isEqualTo(200);
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(Long.parseLong(refused.headers().firstValue("retry-after").get()))
                .isPositive();
        JsonNode e = json(refused).path("error");
        assertThat(e.path("code").asInt()).isEqualTo(-32004);
        assertThat(e.path("data").path("retryAfterMs").asLong()).isPositive();
    }
}
