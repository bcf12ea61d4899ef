package dev.agentwire.core.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes hub events: as {@code events/event} notifications to every connection subscribed to the category
 * (and to any extra recipients, such as a session's members), and to embedders' listeners (the seed's
 * {@code server.on('session:created', ...)}). Thread safe; never blocks.
 */
public final class EventBus {

    private static final Logger log = LoggerFactory.getLogger(EventBus.class);

    /** An embedder's listener: {@code (category, action, data)}. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(String category, String action, JsonNode data);
    }

    /** The subscription of a peer that asked for a category's events from every hub of a cluster. */
    public static String clusterWide(String category) {
        return "cluster:" + category;
    }

    private final Supplier<Collection<Connection>> connections;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<ObjectNode>> relays = new CopyOnWriteArrayList<>();
    private volatile String hub;

    /**
     * In a cluster: every event says which hub it happened on ({@code hub}), and goes to {@code relay} to reach
     * the other hubs' peers that asked for the whole cluster ({@link #fromAnotherHub}).
     */
    public void joinCluster(String hub, java.util.function.Consumer<ObjectNode> relay) {
        this.hub = hub;
        relays.add(relay);
    }

    /** Another hub's event ({@code events/event} params): to this hub's peers subscribed for the whole cluster. */
    public void fromAnotherHub(ObjectNode params) {
        String category = params.path("category").asText();
        Message event = new Message.Notification("events/event", params);
        for (Connection c : connections.get()) {
            if (c.isOpen() && c.subscribedTo(clusterWide(category))) {
                c.outbound().send(event);
            }
        }
    }

    public EventBus(Supplier<Collection<Connection>> connections) {
        this.connections = connections;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Publishes to subscribers of {@code category} and to {@code alsoTo}, each connection once. */
    public void publish(String category, String action, JsonNode data, Collection<Connection> alsoTo) {
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("category", category);
        params.put("action", action);
        params.set("data", data == null ? Json.mapper().createObjectNode() : data);
        params.put("ts", System.currentTimeMillis());
        String from = hub;
        if (from != null) {
            params.put("hub", from);
        }
        Message event = new Message.Notification("events/event", params);
        Set<Connection> to = new LinkedHashSet<>(alsoTo);
        for (Connection c : connections.get()) {
            if (c.subscribedTo(category) || c.subscribedTo(clusterWide(category))) {
                to.add(c);
            }
        }
        for (java.util.function.Consumer<ObjectNode> r : relays) {
            try {
                r.accept(params);
            } catch (RuntimeException e) {
                log.warn("relaying event {}/{} to the cluster failed: {}", category, action, e.toString());
            }
        }
        for (Connection c : to) {
            if (c.isOpen()) {
                c.outbound().send(event);
            }
        }
        for (Listener l : listeners) {
            try {
                l.onEvent(category, action, params.get("data"));
            } catch (RuntimeException e) {
                log.warn("event listener failed on {}/{}", category, action, e);
            }
        }
    }

    /** Publishes to subscribers only. */
    public void publish(String category, String action, JsonNode data) {
        publish(category, action, data, List.of());
    }
}
