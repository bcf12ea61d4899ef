package dev.agentwire.server.cluster;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import java.util.List;

/**
 * {@code services.redis}: service instances that are agents listening on Redis (the orchestrator seed's dual mode;
 * docs/CLUSTER.md, "Redis agents"). They need {@code cluster.redis}.
 *
 * @param redis each agent as {@code NAME}, {@code NAME:list}, {@code NAME:pubsub} or {@code NAME:MODE:KEY}
 */
@Setting.Section("services")
public record RedisAgentSettings(
        @Setting(
                value = "",
                kind = Kind.LIST,
                doc =
                        "service instances that are Redis agents: NAME (requests pushed on agentwire:agent:NAME:requests),"
                                + " NAME:pubsub (published on agentwire:agent:NAME), or NAME:MODE:KEY; needs cluster.redis")
        List<RedisAgents.Agent> redis) {

    public RedisAgentSettings {
        redis = List.copyOf(redis);
    }

    public static RedisAgentSettings defaults() {
        return new RedisAgentSettings(List.of());
    }
}
