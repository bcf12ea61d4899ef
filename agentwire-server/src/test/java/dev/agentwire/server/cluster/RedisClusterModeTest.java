package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.RedisProcess;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two hubs on a Redis Cluster of three masters started here ({@code --cluster-enabled yes}, then
 * {@code redis-cli --cluster create}): rooms, tools and services work across them, so every script's keys share a
 * slot (docs/CLUSTER.md, the hash tags).
 */
class RedisClusterModeTest {

    static Path dir;
    static final List<RedisProcess> nodes = new ArrayList<>();
    static final List<ChildHub> hubs = new ArrayList<>();
    static final List<AgentwireClient> clients = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        RedisProcess.assumeInstalled();
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/redis-cli")),
                "redis-cli is not installed (apt-get install redis-tools)");
        dir = TestHubs.shortTempDir();
        for (int i = 0; i < 3; i++) {
            Path d = dir.resolve("node" + i);
            nodes.add(RedisProcess.start(
                    d,
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    d.resolve("nodes.conf").toString(),
                    "--cluster-node-timeout",
                    "2000"));
        }
        List<String> create = new ArrayList<>(List.of("/usr/bin/redis-cli", "--cluster", "create"));
        nodes.forEach(n -> create.add("127.0.0.1:" + n.port()));
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (RedisProcess n : nodes) {
                if (!clusterOk(n)) {
                    return false;
                }
            }
            return true;
        });
        String uri = "redis-cluster://"
                + nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
        for (String id : List.of("hub-a", "hub-b")) {
            hubs.add(ChildHub.start(dir.resolve(id), "cluster.redis=" + uri, "cluster.hubId=" + id)
                    .warmUp());
        }
    }

    /** Whether {@code CLUSTER INFO} (a bulk reply: read with redis-cli) says the cluster is ok. */
    private static boolean clusterOk(RedisProcess n) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/redis-cli", "-p", Integer.toString(n.port()), "cluster", "info")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.contains("cluster_state:ok");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AgentwireClient c : clients) {
            c.close();
        }
        for (ChildHub h : hubs) {
            h.close();
        }
        for (RedisProcess n : nodes) {
            n.close();
        }
    }

    private static AgentwireClient connect(ChildHub hub) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .requestTimeout(Duration.ofSeconds(30))
                .connect();
        clients.add(c);
        return c;
    }

    @Test
    void roomsToolsAndServicesWorkAcrossTwoHubs() throws Exception {
        AgentwireClient onA = connect(hubs.get(0));
        AgentwireClient onB = connect(hubs.get(1));

        // Rooms: several rooms, so that their keys fall in different slots.
        List<String> rooms = List.of("alpha", "beta", "gamma", "delta");
        List<List<String>> heard = new ArrayList<>();
        for (String room : rooms) {
            List<String> h = new CopyOnWriteArrayList<>();
            onB.rooms()
                    .join(
                            room,
                            m -> h.add(m.path("offset").asLong() + ":"
                                    + m.path("text").asText()))
                    .get(30, TimeUnit.SECONDS);
            heard.add(h);
        }
        for (String room : rooms) {
            for (int i = 1; i <= 3; i++) {
                onA.rooms().publish(room, room + i, null).get(30, TimeUnit.SECONDS);
            }
        }
        for (int r = 0; r < rooms.size(); r++) {
            String room = rooms.get(r);
            List<String> h = heard.get(r);
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() ->
                            assertThat(h).containsExactly("1:" + room + "1", "2:" + room + "2", "3:" + room + "3"));
        }

        // Tools.
        onA.tools()
                .register(ToolSpec.of("a.ping", "answers pong"), (arguments, ctx) -> {
                    com.fasterxml.jackson.databind.node.ObjectNode res =
                            Json.mapper().createObjectNode();
                    res.putArray("content").addObject().put("type", "text").put("text", "pong");
                    return CompletableFuture.completedFuture(res);
                })
                .get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> onB.tools()
                        .list(null)
                        .get(10, TimeUnit.SECONDS)
                        .path("tools")
                        .findValuesAsText("name")
                        .contains("a.ping"));
        JsonNode pong =
                onB.tools().call("a.ping", Json.mapper().createObjectNode()).get(30, TimeUnit.SECONDS);
        assertThat(pong.path("content").get(0).path("text").asText()).isEqualTo("pong");

        // Services.
        onB.services()
                .serve("echo", (request, ctx) -> CompletableFuture.completedFuture(request.data()))
                .get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> onA.services()
                        .list()
                        .get(10, TimeUnit.SECONDS)
                        .path("services")
                        .findValuesAsText("name")
                        .contains("echo"));
        JsonNode echoed = onA.services()
                .request("echo", "say", Json.mapper().createObjectNode().put("x", 42))
                .get(30, TimeUnit.SECONDS);
        assertThat(echoed.path("x").asInt()).isEqualTo(42);
    }
}
