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
        Duration probe) {

    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    public ClusterSettings {
        if (!hubId.isEmpty() && !HUB_ID.matcher(hubId).matches()) {
            throw new IllegalArgumentException(
                    "cluster.hubId is 1-64 letters, digits, _ . or -, got \"" + hubId + "\"");
        }
    }

    /** The same values as the annotations say. */
    public static ClusterSettings defaults() {
        return new ClusterSettings("", "", Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    public boolean enabled() {
        return !redis.isBlank();
    }
}
