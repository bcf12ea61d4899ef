package dev.agentwire.server.cluster;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The {@code cluster} section: several hubs on one Redis (docs/CLUSTER.md). Without {@code redis} the hub is alone
 * and nothing here is used.
 *
 * @param redis where Redis is: {@code redis://host:6379}, {@code rediss://…}, {@code redis-sentinel://host:26379/master}
 *     or {@code redis-cluster://h1:7001,h2:7002}; empty for a hub alone
 * @param hubId this hub's name among the others; empty for the host name and a random suffix
 * @param timeout how long a Redis command may take before it fails
 * @param probe how often the hub checks that its pub/sub connection still hears Redis, and that its rooms' members
 *     have every stored message
 * @param heartbeat how often the hub beats
 * @param deadAfter a hub that has not beaten this long is dead: its providers are gone, its calls fail
 * @param ack how long a call to another hub waits for that hub's acknowledgement before it fails, not run
 * @param required whether a Redis that cannot be reached at start stops the start; if not, the hub starts alone
 *     (degraded) and joins the cluster when Redis answers
 */
@Setting.Section("cluster")
public record ClusterSettings(
        @Setting(value = "", kind = Kind.STRING, doc = "Redis URI for cluster mode; empty for a hub alone")
        String redis,

        @Setting(value = "", kind = Kind.STRING, doc = "this hub's id in the cluster; empty for host name and suffix")
        String hubId,

        @Setting(
                key = "timeoutMs",
                value = "2000",
                kind = Kind.MILLIS,
                min = 10,
                max = 600_000,
                doc = "how long a Redis command may take")
        Duration timeout,

        @Setting(
                key = "probeMs",
                value = "2000",
                kind = Kind.MILLIS,
                min = 50,
                max = 600_000,
                doc = "how often the pub/sub connection is checked and rooms caught up")
        Duration probe,

        @Setting(
                key = "heartbeatMs",
                value = "3000",
                kind = Kind.MILLIS,
                min = 50,
                max = 600_000,
                doc = "how often a hub beats")
        Duration heartbeat,

        @Setting(
                key = "deadAfterMs",
                value = "10000",
                kind = Kind.MILLIS,
                min = 100,
                max = 3_600_000,
                doc = "a hub that has not beaten this long is dead")
        Duration deadAfter,

        @Setting(
                key = "ackMs",
                value = "1000",
                kind = Kind.MILLIS,
                min = 10,
                max = 600_000,
                doc = "how long a call to another hub waits for its acknowledgement")
        Duration ack,

        @Setting(
                value = "true",
                kind = Kind.BOOLEAN,
                doc = "whether an unreachable Redis stops the start (false: start alone, join when it answers)")
        boolean required) {

    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    public ClusterSettings {
        if (deadAfter.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("cluster.deadAfterMs (" + deadAfter.toMillis()
                    + ") must be at least twice cluster.heartbeatMs (" + heartbeat.toMillis() + ")");
        }
        if (!hubId.isEmpty() && !HUB_ID.matcher(hubId).matches()) {
            throw new IllegalArgumentException(
                    "cluster.hubId is 1-64 letters, digits, _ . or -, got \"" + hubId + "\"");
        }
    }

    /** The same values as the annotations say. */
    public static ClusterSettings defaults() {
        return new ClusterSettings(
                "",
                "",
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                true);
    }

    public boolean enabled() {
        return !redis.isBlank();
    }
}
