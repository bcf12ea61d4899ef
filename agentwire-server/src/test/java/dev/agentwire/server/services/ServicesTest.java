package dev.agentwire.server.services;

import static dev.agentwire.server.testing.RpcFailures.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.CircuitBreaker;
import dev.agentwire.client.CircuitOpenException;
import dev.agentwire.client.RpcException;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.RpcError;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Services over real sockets: load spreading, instances dying, timeouts, cancellation, circuit breakers. */
class ServicesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private AgentwireHub hub(Path dir) {
        AgentwireHub h = TestHubs.start(dir, b -> b.set("limits.ratePerSecond", "0"));
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

    /** An instance of {@code echo} that answers {@code {n, by}} after {@code delayMs}. */
    private AgentwireClient echoInstance(AgentwireHub h, String name, long delayMs) throws Exception {
        AgentwireClient c = client(h, name);
        c.services()
                .serve(
                        "echo",
                        (req, ctx) -> CompletableFuture.supplyAsync(
                                () -> (JsonNode) Json.mapper()
                                        .createObjectNode()
                                        .put("n", req.data().path("n").asInt())
                                        .put("by", name)
                                        .put("action", req.action()),
                                CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)))
                .get(10, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void threeInstancesShareTwoThousandConcurrentRequestsAndEveryAnswerReachesItsCaller() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        for (int i = 0; i < 3; i++) {
            echoInstance(h, "inst-" + i, 1);
        }
        List<AgentwireClient> callers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            callers.add(client(h, "caller-" + i));
        }
        List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
        for (int n = 0; n < 2000; n++) {
            answers.add(callers.get(n % 4)
                    .services()
                    .request("echo", "double", Json.mapper().createObjectNode().put("n", n)));
        }
        Map<String, AtomicInteger> byInstance = new ConcurrentHashMap<>();
        for (int n = 0; n < 2000; n++) {
            JsonNode a = answers.get(n).get(30, TimeUnit.SECONDS);
            assertThat(a.path("n").asInt()).isEqualTo(n);
            assertThat(a.path("action").asText()).isEqualTo("double");
            byInstance
                    .computeIfAbsent(a.path("by").asText(), k -> new AtomicInteger())
                    .incrementAndGet();
        }
        assertThat(byInstance).hasSize(3);
        byInstance
                .values()
                .forEach(count ->
                        assertThat(count.get()).as("each takes a share").isGreaterThan(200));
        JsonNode list = callers.get(0).services().list().get(10, TimeUnit.SECONDS);
        JsonNode echo = list.path("services").get(0);
        assertThat(echo.path("name").asText()).isEqualTo("echo");
        assertThat(echo.path("instances")).hasSize(3);
        assertThat(echo.path("handled").asLong()).isEqualTo(2000);
        assertThat(echo.path("pending").asInt()).isZero();
        assertThat(echo.path("meanMs").asDouble()).isPositive();
        assertThat(echo.path("p99Ms").asDouble())
                .isGreaterThanOrEqualTo(echo.path("meanMs").asDouble() / 10);
        long handled = 0;
        for (JsonNode i : echo.path("instances")) {
            handled += i.path("handled").asLong();
        }
        assertThat(handled).isEqualTo(2000);
    }

    @Test
    void killingAnInstanceMidLoadFailsOnlyItsPendingCallersAndAtOnce() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        echoInstance(h, "steady-0", 2);
        echoInstance(h, "steady-1", 2);
        // This one never answers: whatever reaches it is pending when it dies.
        AgentwireClient doomed = client(h, "doomed");
        CountDownLatch reached = new CountDownLatch(1);
        doomed.services()
                .serve("echo", (req, ctx) -> {
                    reached.countDown();
                    return new CompletableFuture<>();
                })
                .get(10, TimeUnit.SECONDS);
        AgentwireClient caller = client(h, "caller");
        List<CompletableFuture<JsonNode>> answers = new ArrayList<>();
        for (int n = 0; n < 600; n++) {
            answers.add(caller.services()
                    .request("echo", "x", Json.mapper().createObjectNode().put("n", n), Duration.ofSeconds(120)));
        }
        assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
        long killedAt = System.nanoTime();
        doomed.close();
        int gone = 0;
        for (int n = 0; n < 600; n++) {
            try {
                JsonNode a = answers.get(n).get(30, TimeUnit.SECONDS);
                assertThat(a.path("n").asInt()).isEqualTo(n);
                assertThat(a.path("by").asText()).startsWith("steady-");
            } catch (ExecutionException e) {
                assertThat(((RpcException) e.getCause()).code()).isEqualTo(ErrorCode.PROVIDER_GONE.code());
                gone++;
            }
        }
        // "At once": far sooner than the 120 s the requests would otherwise wait.
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(30));
        assertThat(gone)
                .as("the doomed instance's pending callers")
                .isPositive()
                .isLessThan(600);
        // The rest go on.
        JsonNode after = caller.services()
                .request("echo", "x", Json.mapper().createObjectNode().put("n", 7))
                .get(10, TimeUnit.SECONDS);
        assertThat(after.path("by").asText()).startsWith("steady-");
    }

    @Test
    void noInstanceTimeoutAndCancellationGiveTheirCodes() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        AgentwireClient caller = client(h, "caller");
        RpcException none = rpcError(caller.services().request("nobody", "x", null));
        assertThat(none.code()).isEqualTo(ErrorCode.NO_PROVIDER.code());
        assertThat(none.reason()).isEqualTo("no_responders");
        assertThat(none.getMessage()).contains("nobody");

        AgentwireClient slow = client(h, "slow");
        AtomicReference<dev.agentwire.client.RequestContext> seen = new AtomicReference<>();
        slow.services()
                .serve("slow", (req, ctx) -> {
                    seen.set(ctx);
                    return new CompletableFuture<>();
                })
                .get(10, TimeUnit.SECONDS);
        RpcException timeout = rpcError(caller.services().request("slow", "wait", null, Duration.ofMillis(200)));
        assertThat(timeout.code()).isEqualTo(ErrorCode.TIMEOUT.code());
        assertThat(timeout.data().path("timeoutMs").asLong()).isEqualTo(200);
        await().atMost(WAIT).until(() -> seen.get() != null && seen.get().isCancelled());

        // Cancellation: a raw caller sends the request, then cancels it by its id.
        seen.set(null);
        try (RawConnection raw = RawConnection.unix(h.config().socketPath())) {
            raw.request(41, "services/request", "{\"service\":\"slow\",\"action\":\"wait\"}");
            await().atMost(WAIT).until(() -> seen.get() != null);
            raw.sendLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":41,"
                    + "\"reason\":\"changed my mind\"}}");
            JsonNode answer = raw.readJson();
            assertThat(answer.path("id").asInt()).isEqualTo(41);
            assertThat(answer.path("error").path("code").asInt()).isEqualTo(ErrorCode.CANCELLED.code());
            await().atMost(WAIT).until(() -> seen.get().isCancelled());
        }
    }

    @Test
    void anErrorTheServiceAnswersReachesTheCallerAsItIs() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        AgentwireClient naming = client(h, "naming");
        naming.services()
                .serve(
                        "naming",
                        (req, ctx) -> CompletableFuture.failedFuture(new RpcException(new RpcError(
                                -31000,
                                "Namespace already exists",
                                Json.mapper().createObjectNode().put("reason", "NAMESPACE_COLLISION")))))
                .get(10, TimeUnit.SECONDS);
        AgentwireClient caller = client(h, "caller");
        RpcException e = rpcError(caller.services().request("naming", "allocate", null));
        assertThat(e.code()).isEqualTo(-31000);
        assertThat(e.error().message()).isEqualTo("Namespace already exists");
        assertThat(e.reason()).isEqualTo("NAMESPACE_COLLISION");
        // An answer the service gives is not a failure of the service: the breaker stays closed.
        assertThat(caller.services().breaker("naming").state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void anInstanceAnsweringAnIdTheHubNeverSentIsIgnored() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        try (RawConnection instance = RawConnection.unix(h.config().socketPath())) {
            instance.request(1, "services/register", "{\"name\":\"raw\"}");
            assertThat(instance.readJson().path("result").path("service").asText())
                    .isEqualTo("raw");
            AgentwireClient caller = client(h, "caller");
            CompletableFuture<JsonNode> answer = caller.services().request("raw", "ping", null);
            JsonNode handle = instance.readJson();
            assertThat(handle.path("method").asText()).isEqualTo("services/handle");
            assertThat(handle.path("params").path("action").asText()).isEqualTo("ping");
            assertThat(handle.path("params").path("from").path("name").asText()).isEqualTo("caller");
            instance.sendLine("{\"jsonrpc\":\"2.0\",\"id\":99999,\"result\":{\"forged\":true}}");
            instance.sendLine("{\"jsonrpc\":\"2.0\",\"id\":" + handle.path("id") + ",\"result\":{\"pong\":true}}");
            assertThat(answer.get(10, TimeUnit.SECONDS).path("pong").asBoolean())
                    .isTrue();
            assertThat(h.core().connections().stream()
                            .mapToLong(c -> c.requests().unmatchedReplies())
                            .sum())
                    .isEqualTo(1);
        }
    }

    /** An instance's answer reaches the caller as the instance wrote it: the hub splices it, it does not parse it. */
    @Test
    void anInstancesAnswerIsRelayedAsItWasWritten() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        try (RawConnection instance = RawConnection.unix(h.config().socketPath());
                RawConnection caller = RawConnection.unix(h.config().socketPath())) {
            instance.request(1, "services/register", "{\"name\":\"raw\"}");
            assertThat(instance.readJson().path("result").path("service").asText())
                    .isEqualTo("raw");
            caller.request(7, "services/request", "{\"service\":\"raw\",\"action\":\"ping\"}");
            JsonNode handle = instance.readJson();
            String written = "[ 1.50, {\"e\" : \"caf\\u00e9\"} ]";
            instance.sendLine("{\"jsonrpc\":\"2.0\",\"id\":" + handle.path("id") + ",\"result\":" + written + "}");
            assertThat(caller.readLine(Duration.ofSeconds(10)))
                    .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":" + written + "}");
        }
    }

    @Test
    void theCircuitBreakerOpensFailsFastAndClosesAfterASuccessfulTrial() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        AgentwireClient caller = AgentwireClient.builder()
                .endpoint(h.endpoint())
                .reconnect(false)
                .circuitBreaker(2, Duration.ofMillis(300))
                .connect();
        open.add(caller);
        for (int i = 0; i < 2; i++) {
            Throwable t = catchThrowable(
                    () -> caller.services().request("later", "x", null).get(10, TimeUnit.SECONDS));
            assertThat(t.getCause()).isInstanceOf(RpcException.class);
        }
        assertThat(caller.services().breaker("later").state()).isEqualTo(CircuitBreaker.State.OPEN);
        long requestsBefore = h.core().metrics().count("services/request", "-32002");
        assertThat(requestsBefore).as("both failures reached the hub").isEqualTo(2);
        Throwable fast = catchThrowable(
                () -> caller.services().request("later", "x", null).get(10, TimeUnit.SECONDS));
        assertThat(fast.getCause())
                .isInstanceOf(CircuitOpenException.class)
                .hasMessageContaining("later")
                .hasMessageContaining("open after 2 failures");
        assertThat(h.core().metrics().count("services/request", "-32002"))
                .as("an open breaker does not reach the hub")
                .isEqualTo(requestsBefore);
        echoInstanceNamed(h, "later");
        await().atMost(WAIT).until(() -> caller.services().breaker("later").state() == CircuitBreaker.State.HALF_OPEN);
        JsonNode a = caller.services()
                .request("later", "x", Json.mapper().createObjectNode().put("n", 1))
                .get(10, TimeUnit.SECONDS);
        assertThat(a.path("n").asInt()).isEqualTo(1);
        assertThat(caller.services().breaker("later").state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    private void echoInstanceNamed(AgentwireHub h, String service) throws Exception {
        AgentwireClient c = client(h, service + "-instance");
        c.services()
                .serve(service, (req, ctx) -> CompletableFuture.completedFuture(req.data()))
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void anInstanceServesAgainAfterTheHubRestarts() throws Exception {
        Path dir = TestHubs.shortTempDir();
        AgentwireHub first = TestHubs.start(dir);
        List<Runnable> reconnects = new CopyOnWriteArrayList<>();
        AgentwireClient instance = AgentwireClient.builder()
                .endpoint(first.endpoint())
                .scheduler((task, delay) -> {
                    reconnects.add(task);
                    return () -> reconnects.remove(task);
                })
                .connect();
        open.add(instance);
        instance.services()
                .serve("again", (req, ctx) -> CompletableFuture.completedFuture(req.data()))
                .get(10, TimeUnit.SECONDS);
        first.close();
        await().atMost(WAIT).until(() -> reconnects.size() == 1);
        AgentwireHub second = hub(dir);
        reconnects.remove(0).run();
        AgentwireClient caller = client(second, "caller");
        await().atMost(WAIT)
                .until(() ->
                        second.core().require(ServiceRelay.class).registry().instanceCount() == 1);
        JsonNode a = caller.services()
                .request("again", "x", Json.mapper().createObjectNode().put("n", 3))
                .get(10, TimeUnit.SECONDS);
        assertThat(a.path("n").asInt()).isEqualTo(3);
    }

    @Test
    void badInputGetsClearErrors() throws Exception {
        AgentwireHub h = hub(TestHubs.shortTempDir());
        try (RawConnection raw = RawConnection.unix(h.config().socketPath())) {
            raw.request(1, "services/register", "{\"name\":\"no spaces/allowed\"}");
            JsonNode e = raw.readJson().path("error");
            assertThat(e.path("code").asInt()).isEqualTo(ErrorCode.INVALID_PARAMS.code());
            assertThat(e.path("message").asText()).contains("no spaces/allowed");
            raw.request(2, "services/request", "{\"service\":\"x\"}");
            e = raw.readJson().path("error");
            assertThat(e.path("code").asInt()).isEqualTo(ErrorCode.INVALID_PARAMS.code());
            assertThat(e.path("message").asText()).contains("action");
            raw.request(3, "services/request", "{\"action\":\"x\"}");
            assertThat(raw.readJson().path("error").path("message").asText()).contains("service");
            raw.request(4, "services/request", "{\"service\":\"x\",\"action\":\"y\",\"timeoutMs\":-5}");
            assertThat(raw.readJson().path("error").path("message").asText()).contains("timeoutMs");
        }
    }
}
