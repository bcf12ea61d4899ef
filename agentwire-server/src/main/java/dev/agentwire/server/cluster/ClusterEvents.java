package dev.agentwire.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.protocol.Json;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's events across the cluster: each event says its hub, is published on {@code agentwire:events}, and
 * other hubs' events reach this hub's peers that subscribed with {@code cluster: true}. At most once, as pub/sub.
 */
public final class ClusterEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);
    static final String CHANNEL = "agentwire:events";

    private final RedisLink redis;
    private final String hub;
    private final EventBus events;
    private StatefulRedisPubSubConnection<String, String> pubsub;

    public ClusterEvents(RedisLink redis, String hub, EventBus events) {
        this.redis = redis;
        this.hub = hub;
        this.events = events;
    }

    public ClusterEvents start() {
        pubsub = redis.newPubSub();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received(message);
            }
        });
        try {
            pubsub.sync().subscribe(CHANNEL);
        } catch (RuntimeException e) {
            pubsub.closeAsync(); // nothing left half open: the next try subscribes once
            pubsub = null;
            throw e;
        }
        events.joinCluster(hub, params -> redis.async().publish(CHANNEL, params.toString()));
        return this;
    }

    private void received(String message) {
        JsonNode params;
        try {
            params = Json.mapper().readTree(message);
        } catch (IOException e) {
            log.warn("an event on {} is not JSON; dropped", CHANNEL);
            return;
        }
        if (params instanceof ObjectNode o && !hub.equals(o.path("hub").asText())) {
            events.fromAnotherHub(o);
        }
    }

    @Override
    public void close() {
        if (pubsub != null) {
            pubsub.close();
        }
    }
}
