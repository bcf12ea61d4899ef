package dev.agentwire.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * Something that happened in a hub, as an embedder hears it through {@link AgentwireHub#on}: a connection opened
 * or closed, a session created, expired or closed, a tool registered or unregistered. The data is the listener's
 * own copy.
 *
 * @param type what happened
 * @param at when the hub saw it
 * @param data its fields: {@code connectionId}, {@code transport} (and {@code name}, {@code subject} on close);
 *     {@code sessionId}, {@code name}, {@code owner} (and {@code reason} when it ended); {@code sessionId},
 *     {@code tool}, {@code subject} (who registered it), {@code hub}
 */
public record HubEvent(Type type, Instant at, ObjectNode data) {

    /** The events, each with the name the BTCP seed's {@code server.on('session:created', ...)} gives it. */
    public enum Type {
        CONNECTION_OPENED("connection:opened"),
        CONNECTION_CLOSED("connection:closed"),
        SESSION_CREATED("session:created"),
        SESSION_EXPIRED("session:expired"),
        SESSION_CLOSED("session:closed"),
        TOOL_REGISTERED("tool:registered"),
        TOOL_UNREGISTERED("tool:unregistered");

        private final String eventName;

        Type(String eventName) {
            this.eventName = eventName;
        }

        /** Its name as {@link AgentwireHub#on(String, java.util.function.Consumer)} takes it. */
        public String eventName() {
            return eventName;
        }

        /** The type named {@code name} ({@code session:created}), if there is one. */
        public static Optional<Type> named(String name) {
            return Arrays.stream(values()).filter(t -> t.eventName.equals(name)).findFirst();
        }
    }

    /** The text field {@code name} of the data ({@code event.text("sessionId")}), or {@code ""}. */
    public String text(String name) {
        return data.path(name).asText("");
    }
}
