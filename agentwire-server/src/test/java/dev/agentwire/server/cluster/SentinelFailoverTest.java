package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentwire.client.AgentwireClient;
import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.RedisProcess;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two hubs on a master, a replica and a Sentinel (all {@code redis-server}): after {@code SENTINEL FAILOVER} the
 * hubs follow the new master and a room works again across them (docs/CLUSTER.md).
 */
class SentinelFailoverTest {

    private final List<RedisProcess> redis = new ArrayList<>();
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
        for (RedisProcess r : redis) {
            r.close();
        }
    }

    @Test
    void afterAFailoverTheHubsFollowTheNewMasterAndTheRoomWorksAgain() throws Exception {
        RedisProcess.assumeInstalled();
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/redis-cli")),
                "redis-cli is not installed (apt-get install redis-tools)");
        Path dir = TestHubs.shortTempDir();
        RedisProcess master = RedisProcess.start(dir.resolve("master"));
        redis.add(master);
        RedisProcess replica =
                RedisProcess.start(dir.resolve("replica"), "--replicaof", "127.0.0.1", Integer.toString(master.port()));
        redis.add(replica);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> replica.cli("info", "replication").contains("master_link_status:up"));
        RedisProcess sentinel = RedisProcess.startSentinel(dir.resolve("sentinel"), "mymaster", master.port());
        redis.add(sentinel);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        sentinel.cli("sentinel", "replicas", "mymaster").contains(Integer.toString(replica.port())));
        String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "/mymaster";
        for (String id : List.of("hub-a", "hub-b")) {
            hubs.add(ChildHub.start(
                            dir.resolve(id),
                            "cluster.redis=" + uri,
                            "cluster.hubId=" + id,
                            "cluster.probeMs=300",
                            "cluster.timeoutMs=1000")
                    .warmUp());
        }
        AgentwireClient onA = connect(hubs.get(0));
        AgentwireClient onB = connect(hubs.get(1));
        List<String> heard = new CopyOnWriteArrayList<>();
        onB.rooms().join("r", m -> heard.add(m.path("text").asText())).get(30, TimeUnit.SECONDS);
        onA.rooms().publish("r", "before", null).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> heard.contains("before"));

        assertThat(sentinel.cli("sentinel", "failover", "mymaster")).contains("OK");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> sentinel.cli("sentinel", "get-master-addr-by-name", "mymaster")
                        .contains(Integer.toString(replica.port())));

        // Publishes may fail while the hubs find the new master; one gets through, and hub B's member hears it.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    try {
                        onA.rooms().publish("r", "after", null).get(10, TimeUnit.SECONDS);
                        return true;
                    } catch (Exception e) {
                        return false;
                    }
                });
        await().atMost(Duration.ofSeconds(30)).until(() -> heard.contains("after"));
        assertThat(replica.cli("role")).startsWith("master");
    }

    private AgentwireClient connect(ChildHub hub) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .requestTimeout(Duration.ofSeconds(30))
                .connect();
        clients.add(c);
        return c;
    }
}
