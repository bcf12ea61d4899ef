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

    private final Supplier<Collection<Connection>> connections;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

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
        Message event = new Message.Notification("events/event", params);
        Set<Connection> to = new LinkedHashSet<>(alsoTo);
        for (Connection c : connections.get()) {
            if (c.subscribedTo(category)) {
                to.add(c);
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
