package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.RedisProcess;
import dev.agentwire.server.testing.TestHubs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis killed with {@code kill -9} during a publish storm, then started again from its append-only file
 * (docs/CLUSTER.md, "Losing Redis"): no publish fails, the hubs say {@code degraded} and serve their own
 * connections, then {@code restored}; the outbox reaches Redis and every acknowledged message is in the room's
 * history exactly once, and a member on another hub has heard each exactly once.
 */
class ClusterRedisLossTest {

    private Path dir;
    private RedisProcess redis;
    private final List<ChildHub> hubs = new ArrayList<>();
    private final List<AgentwireClient> clients = new ArrayList<>();

    private static final String[] AOF = {"--appendonly", "yes", "--appendfsync", "always"};

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
        return hubOn(id, redis.uri());
    }

    private ChildHub hubOn(String id, String uri, String... more) throws Exception {
        List<String> settings = new ArrayList<>(List.of(
                "cluster.redis=" + uri,
                "cluster.hubId=" + id,
                "cluster.heartbeatMs=300",
                "cluster.deadAfterMs=30000",
                "cluster.probeMs=300",
                "cluster.timeoutMs=500"));
        settings.addAll(List.of(more));
        ChildHub h =
                ChildHub.start(dir.resolve(id), settings.toArray(String[]::new)).warmUp();
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

    private static String state(AgentwireClient c) throws Exception {
        return c.request("hub/cluster", Json.mapper().createObjectNode())
                .get(30, TimeUnit.SECONDS)
                .path("state")
                .asText();
    }

    @Test
    void redisKilledDuringAPublishStormLosesNothingAckedAndDuplicatesNothing() throws Exception {
        RedisProcess.assumeInstalled();
        dir = TestHubs.shortTempDir();
        redis = RedisProcess.start(dir.resolve("redis"), AOF);
        int port = redis.port();
        ChildHub a = hub("hub-a");
        ChildHub b = hub("hub-b");

        List<JsonNode> events = new CopyOnWriteArrayList<>();
        AgentwireClient watcher = connect(a);
        watcher.onNotification("events/event", events::add);
        ObjectNode sub = Json.mapper().createObjectNode();
        sub.putArray("categories").add("cluster");
        watcher.request("events/subscribe", sub).get(30, TimeUnit.SECONDS);

        String room = "storm";
        List<String> heardOnB = new CopyOnWriteArrayList<>();
        connect(b)
                .rooms()
                .join(room, m -> heardOnB.add(m.path("text").asText()))
                .get(30, TimeUnit.SECONDS);
        List<String> heardOnA = new CopyOnWriteArrayList<>();
        connect(a)
                .rooms()
                .join(
                        room,
                        m -> heardOnA.add(
                                m.path("epoch").asLong() + ":" + m.path("text").asText()))
                .get(30, TimeUnit.SECONDS);

        AgentwireClient publisher = connect(a);
        int total = 600;
        int killAt = 200;
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            if (i == killAt) {
                redis.kill();
            }
            inFlight.acquire();
            CompletableFuture<JsonNode> ack = publisher.rooms().publish(room, "m-" + i, null);
            ack.whenComplete((r, e) -> inFlight.release());
            acks.add(ack);
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        assertThat(acks).as("every publish acknowledged, none failed").allMatch(f -> !f.isCompletedExceptionally());

        await().atMost(Duration.ofSeconds(30)).until(() -> state(watcher).equals("degraded"));
        assertThat(events).anyMatch(e -> e.path("action").asText().equals("degraded"));
        // Degraded, the hub still serves its own connections: a tool registered and called on it.
        AgentwireClient provider = connect(a);
        provider.tools()
                .register(
                        ToolSpec.of("local.echo", "echoes while Redis is gone"),
                        (args, ctx) -> CompletableFuture.completedFuture(args))
                .get(30, TimeUnit.SECONDS);
        JsonNode echoed = connect(a)
                .tools()
                .call("local.echo", Json.mapper().createObjectNode().put("x", 1))
                .get(30, TimeUnit.SECONDS);
        assertThat(echoed.toString()).contains("\"x\":1");

        redis = RedisProcess.startOn(dir.resolve("redis"), port, AOF);
        await().atMost(Duration.ofSeconds(30)).until(() -> state(watcher).equals("up"));
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        events.stream().anyMatch(e -> e.path("action").asText().equals("restored")));

        // Redis holds every acknowledged message exactly once.
        RedisClient direct = RedisClient.create(redis.uri());
        try (var conn = direct.connect()) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<StreamMessage<String, String>> entries =
                        conn.sync().xrange(RoomKeys.stream(room), io.lettuce.core.Range.create("-", "+"));
                Map<String, Integer> times = new HashMap<>();
                for (StreamMessage<String, String> e : entries) {
                    String text = Json.mapper()
                            .readTree(e.getBody().get("m"))
                            .path("text")
                            .asText();
                    times.merge(text, 1, Integer::sum);
                }
                assertThat(times).as("messages in Redis").hasSize(total);
                assertThat(times.values()).as("each once").allMatch(n -> n == 1);
            });
        } finally {
            direct.shutdown();
        }
        // The member on the other hub heard every message exactly once; the one on hub A saw the epoch change.
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(heardOnB)
                        .as(
                                "hub B's member; missing %s",
                                java.util.stream.IntStream.range(0, total)
                                        .mapToObj(i -> "m-" + i)
                                        .filter(t -> !heardOnB.contains(t))
                                        .toList())
                        .hasSize(total)
                        .doesNotHaveDuplicates());
        assertThat(heardOnA.stream()
                        .map(s -> s.substring(0, s.indexOf(':')))
                        .distinct()
                        .count())
                .as("epochs hub A's member saw")
                .isGreaterThan(1);
        // The tool registered while degraded is in Redis's directory now: hub B sees it.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(connect(b)
                                .tools()
                                .list(null)
                                .get(30, TimeUnit.SECONDS)
                                .toString())
                        .contains("local.echo"));
    }

    @Test
    void aHubStartedWhileRedisIsDownServesAloneAndJoinsWhenRedisAnswers() throws Exception {
        RedisProcess.assumeInstalled();
        dir = TestHubs.shortTempDir();
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String uri = "redis://127.0.0.1:" + port;
        ChildHub a = hubOn("hub-a", uri, "cluster.required=false");
        AgentwireClient onA = connect(a);
        assertThat(state(onA)).isEqualTo("degraded");
        JsonNode early = onA.rooms().publish("early", "before Redis", null).get(30, TimeUnit.SECONDS);
        assertThat(early.path("offset").asLong()).isEqualTo(1);
        AgentwireClient provider = connect(a);
        provider.tools()
                .register(
                        ToolSpec.of("early.echo", "registered before Redis"),
                        (args, ctx) -> CompletableFuture.completedFuture(args))
                .get(30, TimeUnit.SECONDS);
        assertThat(connect(a)
                        .tools()
                        .call("early.echo", Json.mapper().createObjectNode().put("x", 2))
                        .get(30, TimeUnit.SECONDS)
                        .toString())
                .contains("\"x\":2");

        redis = RedisProcess.startOn(dir.resolve("redis"), port);
        await().atMost(Duration.ofSeconds(30)).until(() -> state(onA).equals("up"));

        ChildHub b = hubOn("hub-b", uri);
        AgentwireClient onB = connect(b);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                onB.tools().list(null).get(30, TimeUnit.SECONDS).toString())
                        .contains("early.echo"));
        assertThat(onB.tools()
                        .call("early.echo", Json.mapper().createObjectNode().put("y", 3))
                        .get(30, TimeUnit.SECONDS)
                        .toString())
                .as("hub B calls the tool registered on hub A before Redis was there")
                .contains("\"y\":3");
        List<String> history = new ArrayList<>();
        JsonNode joined = onB.request(
                        "rooms/join",
                        Json.mapper().createObjectNode().put("room", "early").put("history", 10))
                .get(30, TimeUnit.SECONDS);
        joined.path("messages").forEach(m -> history.add(m.path("text").asText()));
        assertThat(history).as("the room's history on hub B").containsExactly("before Redis");
    }
}
