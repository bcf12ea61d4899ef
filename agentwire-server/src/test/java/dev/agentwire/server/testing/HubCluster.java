package dev.agentwire.server.testing;

import dev.agentwire.client.AgentwireClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Hub processes ({@link ChildHub}) in cluster mode on a {@code redis-server} of their own, and the clients a test
 * connects to them; {@link #close} ends them all. Skips the test where {@code redis-server} is not installed.
 */
public final class HubCluster implements AutoCloseable {

    private final RedisProcess redis;
    private final List<ChildHub> hubs = new ArrayList<>();
    private final List<AgentwireClient> clients = new CopyOnWriteArrayList<>();

    private HubCluster(RedisProcess redis) {
        this.redis = redis;
    }

    /** Starts Redis, then a hub for each id with {@code settings} ({@code key=value}) beside its cluster ones. */
    public static HubCluster start(List<String> ids, String... settings) throws Exception {
        RedisProcess.assumeInstalled();
        Path dir = TestHubs.shortTempDir();
        HubCluster c = new HubCluster(RedisProcess.start(dir.resolve("redis")));
        try {
            for (String id : ids) {
                List<String> all = new ArrayList<>(List.of("cluster.redis=" + c.redis.uri(), "cluster.hubId=" + id));
                all.addAll(List.of(settings));
                c.hubs.add(ChildHub.start(dir.resolve(id), all.toArray(String[]::new))
                        .warmUp());
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    public RedisProcess redis() {
        return redis;
    }

    /** The hubs, in the order of their ids. */
    public List<ChildHub> hubs() {
        return hubs;
    }

    /** A client of {@code hub} (closed with the cluster). */
    public AgentwireClient connect(ChildHub hub) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .requestTimeout(Duration.ofSeconds(30))
                .connect();
        clients.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        for (AgentwireClient c : clients) {
            c.close();
        }
        for (ChildHub h : hubs) {
            h.close();
        }
        redis.close();
    }
}
