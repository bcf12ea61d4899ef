package dev.agentwire.server.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.util.concurrent.TimeUnit;

/**
 * What {@code hub/cluster} ({@code aw cluster}, {@code GET /api/cluster}) says: this hub's id, Redis's state and
 * the time a {@code PING} took, and the live hubs with the time since their last beat.
 */
public final class ClusterStatus {

    private final RedisLink redis;
    private final String hub;
    private final HubBeats beats;
    private final ClusterHealth health;

    public ClusterStatus(RedisLink redis, String hub, HubBeats beats, ClusterHealth health) {
        this.redis = redis;
        this.hub = hub;
        this.beats = beats;
        this.health = health;
    }

    /** A hub alone: {@code {enabled: false}}. */
    public static ObjectNode alone() {
        return Json.mapper().createObjectNode().put("enabled", false);
    }

    /** Pings Redis (within the command timeout); call it off the event loops. */
    public ObjectNode describe() {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("enabled", true);
        out.put("hub", hub);
        state(out);
        ObjectNode r = out.putObject("redis");
        r.put("uri", redis.toString());
        long start = System.nanoTime();
        try {
            redis.async().ping().toCompletableFuture().get(5, TimeUnit.SECONDS);
            r.put("state", "up");
            r.put("latencyMs", Math.round((System.nanoTime() - start) / 1e3) / 1e3);
        } catch (Exception e) {
            r.put("state", "down");
            r.put("error", String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        if (!beats.error().isEmpty()) {
            r.put("heartbeatError", beats.error());
        }
        ArrayNode hubs = out.putArray("hubs");
        beats.live()
                .forEach((id, ago) -> hubs.addObject()
                        .put("hub", id)
                        .put("self", id.equals(hub))
                        .put("lastBeatMsAgo", ago));
        return out;
    }

    /** {@code state} ({@code up} or {@code degraded}), and while degraded why and since when. */
    private void state(ObjectNode out) {
        out.put("state", health.state());
        if (health.degraded()) {
            out.put("reason", health.reason());
            out.put("degradedSince", health.sinceMillis());
        }
        out.put("outages", health.outages());
    }

    /** The short form {@code hub/status} carries. */
    public ObjectNode summary() {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("hub", hub);
        state(out);
        out.put("redis", redis.toString());
        out.put("hubs", beats.live().size());
        out.put("heartbeat", beats.error().isEmpty() ? "ok" : beats.error());
        return out;
    }
}
