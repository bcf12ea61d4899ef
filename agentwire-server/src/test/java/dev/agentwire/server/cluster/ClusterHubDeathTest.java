package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.RedisProcess;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hub of the cluster killed with {@code kill -9} while calls wait on its provider: they fail with {@code -32003}
 * once it has missed its heartbeats, and its tools vanish from the others (docs/CLUSTER.md, "When a hub dies").
 */
class ClusterHubDeathTest {

    private Path dir;
    private RedisProcess redis;
    private final List<ChildHub> hubs = new ArrayList<>();
    private final List<AgentwireClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AgentwireClient c : clients) {
            c.close();
        }
        for (ChildHub h : hubs) {
            h.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private ChildHub hub(String id) throws Exception {
        ChildHub h = ChildHub.start(
                        dir.resolve(id),
                        "cluster.redis=" + redis.uri(),
                        "cluster.hubId=" + id,
                        "cluster.heartbeatMs=300",
                        "cluster.deadAfterMs=3000")
                .warmUp();
        hubs.add(h);
        return h;
    }

    private AgentwireClient connect(ChildHub hub) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .requestTimeout(Duration.ofSeconds(60))
                .connect();
        clients.add(c);
        return c;
    }

    @Test
    void callsToAKilledHubFailWithProviderGoneAndItsToolsVanish() throws Exception {
        RedisProcess.assumeInstalled();
        dir = TestHubs.shortTempDir();
        redis = RedisProcess.start(dir.resolve("redis"));
        ChildHub a = hub("hub-a");
        ChildHub c = hub("hub-c");
        CountDownLatch started = new CountDownLatch(3);
        AgentwireClient provider = connect(c);
        provider.tools()
                .register(ToolSpec.of("c.hang", "never answers"), (arguments, ctx) -> {
                    started.countDown();
                    return new CompletableFuture<>();
                })
                .get(30, TimeUnit.SECONDS);
        AgentwireClient agent = connect(a);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> agent.tools()
                        .list(null)
                        .get(10, TimeUnit.SECONDS)
                        .path("tools")
                        .findValuesAsText("name")
                        .contains("c.hang"));
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(agent.tools().call("c.hang", Json.mapper().createObjectNode(), Duration.ofSeconds(50), null));
        }
        assertThat(started.await(20, TimeUnit.SECONDS))
                .as("the calls reached the provider on hub C")
                .isTrue();

        c.kill();
        long killed = System.nanoTime();

        for (CompletableFuture<JsonNode> call : calls) {
            try {
                call.get(40, TimeUnit.SECONDS);
                throw new AssertionError("a call to the killed hub's provider succeeded");
            } catch (ExecutionException e) {
                assertThat(e.getCause())
                        .isInstanceOfSatisfying(
                                RpcException.class, r -> assertThat(r.code()).isEqualTo(-32003));
            }
        }
        // Within the heartbeat timeout, not the calls' own 50 s: a bound on what the hub waits for, not on speed.
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(45));
        assertThat(agent.tools()
                        .list(null)
                        .get(10, TimeUnit.SECONDS)
                        .path("tools")
                        .findValuesAsText("name"))
                .doesNotContain("c.hang");
    }
}
