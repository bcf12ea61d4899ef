package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.HubCluster;
import dev.agentwire.server.testing.RedisProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rooms across three {@code aw hub} processes on one real {@code redis-server} (docs/CLUSTER.md): one order for
 * every hub, and recovery with {@code since} on any of them.
 */
class ClusterRoomsTest {

    static HubCluster cluster;
    static RedisProcess redis;
    static List<ChildHub> hubs;

    @BeforeAll
    static void start() throws Exception {
        cluster = HubCluster.start(List.of("hub-a", "hub-b", "hub-c"), "cluster.probeMs=300");
        redis = cluster.redis();
        hubs = cluster.hubs();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static AgentwireClient connect(ChildHub hub) {
        return cluster.connect(hub);
    }

    /** What a member hears of a room, as {@code offset:text}. */
    private static List<String> member(AgentwireClient c, String room) throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        c.rooms()
                .join(
                        room,
                        m -> heard.add(
                                m.path("offset").asLong() + ":" + m.path("text").asText()))
                .get(30, TimeUnit.SECONDS);
        return heard;
    }

    @Test
    void publishersOnThreeHubsAndSubscribersOnThreeHubsSeeOneContiguousOrder() throws Exception {
        String room = "lobby";
        List<List<String>> heard = new ArrayList<>();
        for (ChildHub h : hubs) {
            heard.add(member(connect(h), room));
        }
        int each = 40;
        List<CompletableFuture<?>> acks = new ArrayList<>();
        List<AgentwireClient> publishers =
                hubs.stream().map(ClusterRoomsTest::connect).toList();
        for (int i = 0; i < each; i++) {
            for (int p = 0; p < publishers.size(); p++) {
                acks.add(publishers.get(p).rooms().publish(room, "p" + p + "-" + i, null));
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        int total = each * publishers.size();

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> heard.forEach(h -> assertThat(h).hasSize(total)));
        List<Long> offsets = heard.get(0).stream()
                .map(s -> Long.parseLong(s.substring(0, s.indexOf(':'))))
                .toList();
        assertThat(offsets)
                .as("contiguous offsets")
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(heard.get(1)).as("hub B's member, as hub A's").containsExactlyElementsOf(heard.get(0));
        assertThat(heard.get(2)).as("hub C's member, as hub A's").containsExactlyElementsOf(heard.get(0));
        assertThat(heard.get(0))
                .as("every message is one of the publishers'")
                .allMatch(s -> s.matches("\\d+:p\\d-\\d+"));
        for (int p = 0; p < publishers.size(); p++) {
            String prefix = "p" + p + "-";
            List<String> own = heard.get(0).stream()
                    .map(s -> s.substring(s.indexOf(':') + 1))
                    .filter(t -> t.startsWith(prefix))
                    .toList();
            assertThat(own)
                    .as("publisher %d's messages, in its order", p)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, each)
                            .mapToObj(i -> prefix + i)
                            .toList());
        }
    }

    @Test
    void aClientThatLeavesHubAAndRejoinsOnHubBWithSinceGetsExactlyWhatItMissed() throws Exception {
        String room = "moving";
        AgentwireClient publisher = connect(hubs.get(2));
        AgentwireClient onA = connect(hubs.get(0));
        List<String> heardOnA = member(onA, room);
        for (int i = 1; i <= 3; i++) {
            publisher.rooms().publish(room, "before-" + i, null).get(30, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> heardOnA.size() == 3);
        JsonNode joined = onA.request(
                        "rooms/join", Json.mapper().createObjectNode().put("room", room))
                .get(30, TimeUnit.SECONDS);
        long epoch = joined.path("epoch").asLong();
        onA.close();

        for (int i = 1; i <= 4; i++) {
            publisher.rooms().publish(room, "missed-" + i, null).get(30, TimeUnit.SECONDS);
        }
        AgentwireClient onB = connect(hubs.get(1));
        ObjectNode params = Json.mapper().createObjectNode().put("room", room);
        params.putObject("since").put("offset", 3).put("epoch", epoch);
        JsonNode rejoined = onB.request("rooms/join", params).get(30, TimeUnit.SECONDS);

        assertThat(heardOnA).containsExactly("1:before-1", "2:before-2", "3:before-3");
        assertThat(rejoined.path("recovered").asBoolean()).isTrue();
        assertThat(rejoined.path("epoch").asLong()).isEqualTo(epoch);
        List<String> recovered = new ArrayList<>();
        rejoined.path("messages")
                .forEach(m -> recovered.add(
                        m.path("offset").asLong() + ":" + m.path("text").asText()));
        assertThat(recovered).containsExactly("4:missed-1", "5:missed-2", "6:missed-3", "7:missed-4");
    }

    @Test
    void eachHubDescribesTheClusterOverRpcHttpAndMetrics() throws Exception {
        AgentwireClient onA = connect(hubs.get(0));
        // A hub learns of the others at its next beat (cluster.heartbeatMs, 3 s here).
        await().atMost(Duration.ofSeconds(15))
                .until(() -> onA.request("hub/cluster")
                                .get(30, TimeUnit.SECONDS)
                                .path("hubs")
                                .size()
                        == 3);
        JsonNode c = onA.request("hub/cluster").get(30, TimeUnit.SECONDS);

        assertThat(c.path("enabled").asBoolean()).isTrue();
        assertThat(c.path("hub").asText()).isEqualTo("hub-a");
        assertThat(c.path("redis").path("state").asText()).isEqualTo("up");
        assertThat(c.path("redis").path("uri").asText()).isEqualTo(redis.uri());
        assertThat(c.path("hubs").findValuesAsText("hub")).containsExactlyInAnyOrder("hub-a", "hub-b", "hub-c");

        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        ChildHub b = hubs.get(1);
        java.net.http.HttpResponse<String> api = http.send(
                java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + b.port() + "/api/cluster"))
                        .header("Authorization", "Bearer " + b.token())
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(api.body()).path("hub").asText()).isEqualTo("hub-b");
        java.net.http.HttpResponse<String> anonymous = http.send(
                java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + b.port() + "/api/cluster"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).as("no token, no cluster").isEqualTo(401);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> http.send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create("http://127.0.0.1:" + b.port() + "/api/cluster"))
                                        .header("Authorization", "Bearer " + b.token())
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body()
                        .contains("hub-c"));
        java.net.http.HttpResponse<String> metrics = http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + b.port() + "/metrics"))
                        .header("Authorization", "Bearer " + b.token())
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body())
                .contains("agentwire_cluster_hubs 3.0")
                .contains("agentwire_cluster_heartbeat_ok 1.0");
    }

    @Test
    void eventsSayTheirHubAndAClusterSubscriptionHearsEveryHub() throws Exception {
        List<JsonNode> everyHub = new CopyOnWriteArrayList<>();
        List<JsonNode> thisHub = new CopyOnWriteArrayList<>();
        AgentwireClient watcher = connect(hubs.get(0));
        watcher.onNotification("events/event", everyHub::add);
        ObjectNode all = Json.mapper().createObjectNode().put("cluster", true);
        all.putArray("categories").add("session");
        watcher.request("events/subscribe", all).get(30, TimeUnit.SECONDS);
        AgentwireClient local = connect(hubs.get(0));
        local.onNotification("events/event", thisHub::add);
        ObjectNode mine = Json.mapper().createObjectNode();
        mine.putArray("categories").add("session");
        local.request("events/subscribe", mine).get(30, TimeUnit.SECONDS);

        connect(hubs.get(1))
                .request("sessions/create", Json.mapper().createObjectNode().put("name", "made-on-b"))
                .get(30, TimeUnit.SECONDS);
        connect(hubs.get(0))
                .request("sessions/create", Json.mapper().createObjectNode().put("name", "made-on-a"))
                .get(30, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(everyHub)
                        .extracting(e -> e.path("data").path("name").asText() + "@"
                                + e.path("hub").asText())
                        .contains("made-on-b@hub-b", "made-on-a@hub-a"));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(thisHub)
                        .extracting(e -> e.path("data").path("name").asText() + "@"
                                + e.path("hub").asText())
                        .contains("made-on-a@hub-a"));
        assertThat(thisHub)
                .as("without cluster: true, only this hub's events")
                .noneMatch(e -> e.path("hub").asText().equals("hub-b"));
    }
}
