package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.HubCluster;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Room messages a cluster hub cannot store (docs/CLUSTER.md, "Rooms"): one over the size the hub allows, and ones
 * Redis answers with an error. Each publisher hears why; nothing refused is acknowledged, nothing acknowledged is
 * missing, and a refusal does not take down the publishes batched with it or make the hub degraded.
 */
class ClusterRoomRefusalsTest {

    static HubCluster cluster;
    static RedisClient direct;
    static StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void start() throws Exception {
        cluster = HubCluster.start(List.of("hub-a"), "rooms.maxTextBytes=1KiB");
        direct = RedisClient.create(cluster.redis().uri());
        redis = direct.connect();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
            direct.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static RpcException refusal(CompletableFuture<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RpcException r) {
                return r;
            }
            throw e;
        }
        throw new AssertionError("the publish was acknowledged");
    }

    @Test
    void aMessageOverTheSizeLimitIsRefusedWithTheLimitAndNeverReachesRedis() throws Exception {
        AgentwireClient c = cluster.connect(cluster.hubs().get(0));
        RpcException e = refusal(c.rooms().publish("big", "x".repeat(2048), null));

        assertThat(e.getMessage()).contains("rooms.maxTextBytes");
        assertThat(redis.sync().xlen(RoomKeys.stream("big"))).isZero();
        JsonNode ok = c.rooms().publish("big", "small", null).get(30, TimeUnit.SECONDS);
        assertThat(ok.path("offset").asLong()).isEqualTo(1);
    }

    @Test
    void aMessageRedisRefusesFailsAloneAndItsBatchIsStored() throws Exception {
        // The room's meta key holds a string: Redis answers its publish script with WRONGTYPE.
        redis.sync().set(RoomKeys.meta("broken"), "not a hash");
        AgentwireClient c = cluster.connect(cluster.hubs().get(0));
        List<CompletableFuture<JsonNode>> good = new ArrayList<>();
        List<CompletableFuture<JsonNode>> bad = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            good.add(c.rooms().publish("fine", "m-" + i, null));
            if (i % 20 == 10) {
                bad.add(c.rooms().publish("broken", "b-" + i, null));
            }
        }
        for (CompletableFuture<JsonNode> b : bad) {
            assertThat(refusal(b).getMessage()).contains("not stored").contains("WRONGTYPE");
        }
        List<Long> offsets = new ArrayList<>();
        for (CompletableFuture<JsonNode> g : good) {
            offsets.add(g.get(30, TimeUnit.SECONDS).path("offset").asLong());
        }
        assertThat(offsets)
                .as("every message of the good room acknowledged, in order")
                .isSorted()
                .hasSize(60);
        assertThat(redis.sync().xlen(RoomKeys.stream("fine"))).isEqualTo(60);
        JsonNode status =
                c.request("hub/cluster", Json.mapper().createObjectNode()).get(30, TimeUnit.SECONDS);
        assertThat(status.path("state").asText())
                .as("an error Redis answers is not an outage")
                .isEqualTo("up");
    }
}
