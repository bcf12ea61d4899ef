package dev.agentwire.server.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.config.ConfigException;
import dev.agentwire.server.testing.TestHubs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Providers' health URLs (the orchestrator seed's {@code checkProviderHealth}) against a real HTTP server that
 * goes down and comes back: routing skips the provider while it is down and picks it again when it is up, and
 * {@code /health} and {@code router/budget} say which is down.
 */
class RouterHealthTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** What {@code /health} of the fake provider answers. */
    private final AtomicInteger status = new AtomicInteger(200);
    /** How many checks reached {@code /stall}, which answers only when the test ends. */
    private final AtomicInteger stalled = new AtomicInteger();

    @AfterEach
    void close() throws Exception {
        release.countDown();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        handlers.shutdownNow();
    }

    private HttpServer provider(int port) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        s.createContext("/health", ex -> {
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        s.createContext("/stall", ex -> {
            stalled.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        s.setExecutor(handlers);
        s.start();
        open.add(() -> s.stop(0));
        return s;
    }

    private AgentwireHub hub(String yaml) throws Exception {
        Path dir = TestHubs.shortTempDir();
        Path file = dir.resolve("agentwire.yaml");
        Files.writeString(file, yaml);
        AgentwireHub h = TestHubs.start(dir, b -> b.configFile(file).set("limits.ratePerSecond", "0"));
        open.add(h);
        return h;
    }

    /** The seed's provider table in miniature: Fast wins whenever it is up. */
    private static String yaml(String healthUrl) {
        return """
                router:
                  healthIntervalMs: 150
                  healthTimeoutMs: 300
                  providers:
                    - name: Fast
                      costPer1M: 0
                      context: 8000
                      latencyMs: 100
                      quality: 0.99
                      capabilities: [coding]
                      healthUrl: %s
                    - Slow=1/8000/3000/0.5/coding
                """.formatted(healthUrl);
    }

    private HttpResponse<String> send(AgentwireHub h, String method, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + h.tcpPort().getAsInt() + path))
                        .timeout(WAIT)
                        .header("Authorization", "Bearer " + h.token())
                        .header("Content-Type", "application/json")
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String routed(AgentwireHub h) throws Exception {
        HttpResponse<String> r = send(h, "POST", "/api/route-llm", "{\"token_count\": 100, \"task_type\": \"coding\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body()).path("provider").asText();
    }

    private JsonNode fast(AgentwireHub h, String path) throws Exception {
        JsonNode body = Json.mapper().readTree(send(h, "GET", path, null).body());
        JsonNode budget = path.equals("/health") ? body.path("llm_router") : body;
        for (JsonNode p : budget.path("providers")) {
            if (p.path("name").asText().equals("Fast")) {
                return p;
            }
        }
        throw new AssertionError("no provider Fast in " + body);
    }

    @Test
    void aProviderThatGoesDownIsSkippedAndPickedAgainWhenItComesBack() throws Exception {
        HttpServer server = provider(0);
        int port = server.getAddress().getPort();
        AgentwireHub h = hub(yaml("http://127.0.0.1:" + port + "/health"));
        await().atMost(WAIT).until(() -> fast(h, "/api/router").has("checkedAt"));
        assertThat(routed(h)).isEqualTo("Fast");
        assertThat(fast(h, "/health").path("healthy").asBoolean()).isTrue();

        status.set(503); // up, but says it is not well
        await().atMost(WAIT).until(() -> routed(h).equals("Slow"));
        JsonNode down = fast(h, "/api/router");
        assertThat(down.path("healthy").asBoolean()).isFalse();
        assertThat(down.path("problem").asText()).isEqualTo("HTTP 503");
        assertThat(fast(h, "/health").path("healthy").asBoolean()).isFalse();
        JsonNode route = Json.mapper()
                .readTree(send(h, "POST", "/api/route-llm", "{\"token_count\": 100}")
                        .body());
        assertThat(route.path("reasoning").asText()).contains("skipped as unhealthy: Fast");

        status.set(200);
        server.stop(0); // gone: nothing listens on its port
        await().atMost(WAIT)
                .until(() -> fast(h, "/api/router").path("problem").asText().startsWith("cannot connect"));
        assertThat(routed(h)).isEqualTo("Slow");

        provider(port); // back on the same port
        await().atMost(WAIT).until(() -> routed(h).equals("Fast"));
        assertThat(fast(h, "/health").path("healthy").asBoolean()).isTrue();
        assertThat(fast(h, "/api/router").has("problem")).isFalse();

        assertThat(probeThreads())
                .as("the probe's thread runs while the hub does")
                .isPositive();
        h.close();
        await().atMost(WAIT).until(() -> probeThreads() == 0);
    }

    private static long probeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("aw-router-health"))
                .count();
    }

    @Test
    void aHealthUrlThatNeverAnswersCountsAsUnhealthyWithoutHoldingUpTheHub() throws Exception {
        HttpServer server = provider(0);
        AgentwireHub h = hub(yaml("http://127.0.0.1:" + server.getAddress().getPort() + "/stall"));
        await().atMost(WAIT)
                .until(() -> fast(h, "/api/router").path("problem").asText().equals("no answer within 300 ms"));
        assertThat(routed(h)).isEqualTo("Slow");
        // The checks are still hanging on the server (none is answered until the test ends), and the hub
        // answers everything else meanwhile.
        assertThat(stalled.get()).isPositive();
        assertThat(release.getCount()).isEqualTo(1);
        assertThat(send(h, "GET", "/health", null).statusCode()).isEqualTo(200);
        assertThat(send(h, "GET", "/api/services", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aMalformedHealthUrlIsAConfigErrorNamingTheKeyAndTheProvider() throws Exception {
        assertThatThrownBy(() -> hub(yaml("not a url")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config key router.providers")
                .hasMessageContaining("agentwire.yaml line")
                .hasMessageContaining("healthUrl of provider Fast must be an http:// or https:// URL with a host,"
                        + " got 'not a url'");
        assertThatThrownBy(() -> TestHubs.start(
                        TestHubs.shortTempDir(),
                        b -> b.set("router.providers", "A=0/8000/800/0.75/coding healthUrl=ftp://x/h")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("router.providers")
                .hasMessageContaining("got 'ftp://x/h'");
        assertThatThrownBy(
                        () -> hub(yaml("http://127.0.0.1:1/h").replace("healthIntervalMs: 150", "healthIntervalMs: 0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("router.healthIntervalMs");
        assertThatThrownBy(() -> hub(yaml("http://127.0.0.1:1/h").replace("latencyMs: 100", "latency: 100")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no key latency");
    }

    @Test
    void withoutHealthUrlsNothingIsCheckedAndEveryProviderShowsHealthy() throws Exception {
        AgentwireHub h = hub("router:\n  healthIntervalMs: 100\n");
        JsonNode providers = Json.mapper()
                .readTree(send(h, "GET", "/api/router", null).body())
                .path("providers");
        assertThat(providers).hasSize(4);
        for (JsonNode p : providers) {
            assertThat(p.path("healthy").asBoolean()).isTrue();
            assertThat(p.path("monitored").asBoolean()).isFalse();
        }
    }
}
