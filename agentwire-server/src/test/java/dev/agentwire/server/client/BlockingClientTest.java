package dev.agentwire.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.BlockingClient;
import dev.agentwire.client.ConnectionLostException;
import dev.agentwire.client.RpcException;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The blocking client and tools served on the provider's I/O thread, against a real hub on its Unix socket. */
class BlockingClientTest {

    private AgentwireHub hub;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("limits.ratePerSecond", "0"));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        hub.close();
    }

    private AgentwireClient provider() {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name("provider")
                .reconnect(false)
                .connect();
        open.add(c);
        return c;
    }

    private BlockingClient blocking() {
        BlockingClient c = AgentwireClient.builder().endpoint(hub.endpoint()).connectBlocking();
        open.add(c);
        return c;
    }

    @Test
    void aToolRegisteredOnTheIoThreadRunsThereAndOthersOnHandlerThreads() throws Exception {
        AgentwireClient provider = provider();
        AtomicReference<String> io = new AtomicReference<>();
        AtomicReference<String> pooled = new AtomicReference<>();
        provider.tools()
                .registerOnIoThread(ToolSpec.of("on-io", "where it runs"), (a, ctx) -> {
                    io.set(Thread.currentThread().getName());
                    return CompletableFuture.completedFuture(a);
                })
                .get(10, TimeUnit.SECONDS);
        provider.tools()
                .register(ToolSpec.of("pooled", "where it runs"), (a, ctx) -> {
                    pooled.set(Thread.currentThread().getName());
                    return CompletableFuture.completedFuture(a);
                })
                .get(10, TimeUnit.SECONDS);
        BlockingClient agent = blocking();

        agent.callTool("on-io", Json.mapper().createObjectNode().put("x", 1));
        agent.callTool("pooled", Json.mapper().createObjectNode().put("x", 2));

        assertThat(io.get()).startsWith("aw-client").doesNotContain("handler");
        assertThat(pooled.get()).startsWith("aw-client-handler-");
    }

    @Test
    void aBlockingCallGetsTheSameCallToolResultAsAnAsyncOne() throws Exception {
        provider()
                .tools()
                .registerOnIoThread(ToolSpec.of("echo", "echoes"), (a, ctx) -> CompletableFuture.completedFuture(a))
                .get(10, TimeUnit.SECONDS);
        AgentwireClient async = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
        open.add(async);
        ObjectNode args = Json.mapper().createObjectNode().put("text", "a \"quoted\" \u00e9 line\n");

        JsonNode blockingResult = blocking().callTool("echo", args);

        assertThat(blockingResult).isEqualTo(async.tools().call("echo", args).get(10, TimeUnit.SECONDS));
        assertThat(blockingResult.path("structuredContent")).isEqualTo(args);
        assertThat(blockingResult.path("isError").asBoolean(true)).isFalse();
    }

    @Test
    void callsFromManyThreadsEachGetTheirOwnAnswer() throws Exception {
        provider()
                .tools()
                .registerOnIoThread(ToolSpec.of("echo", "echoes"), (a, ctx) -> CompletableFuture.completedFuture(a))
                .get(10, TimeUnit.SECONDS);
        BlockingClient agent = blocking();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        ObjectNode args = Json.mapper().createObjectNode().put("call", thread + "-" + i);
                        JsonNode r = agent.callTool("echo", args);
                        assertThat(r.path("structuredContent")).isEqualTo(args);
                    }
                    return thread;
                }));
            }
            for (Future<Integer> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(agent.pendingRequests()).isZero();
    }

    @Test
    void anErrorAnswerIsAnRpcExceptionWithTheHubsCode() {
        BlockingClient agent = blocking();

        assertThatThrownBy(() -> agent.callTool("nobody-provides-this", null))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_PROVIDER.code()));
        // The connection is still good.
        assertThat(agent.request("hub/ping", null).isObject()).isTrue();
    }

    @Test
    void aCallWithNoAnswerTimesOutAndTheNextStillWorks() throws Exception {
        provider()
                .tools()
                .register(ToolSpec.of("silent", "never answers"), (a, ctx) -> new CompletableFuture<>())
                .get(10, TimeUnit.SECONDS);
        BlockingClient agent = blocking();
        ObjectNode params = Json.mapper().createObjectNode().put("name", "silent");
        params.putObject("arguments");

        assertThatThrownBy(() -> agent.request("tools/call", params, Duration.ofMillis(300)))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT.code()));
        assertThat(agent.request("hub/ping", null).isObject()).isTrue();
    }

    @Test
    void closingWakesACallerThatWaits() throws Exception {
        provider()
                .tools()
                .register(ToolSpec.of("silent", "never answers"), (a, ctx) -> new CompletableFuture<>())
                .get(10, TimeUnit.SECONDS);
        BlockingClient agent = blocking();
        CompletableFuture<Throwable> failed = CompletableFuture.supplyAsync(() -> {
            try {
                agent.callTool("silent", null);
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.pendingRequests() == 1);

        agent.close();

        assertThat(failed.get(10, TimeUnit.SECONDS)).isInstanceOf(ConnectionLostException.class);
    }
}
