package dev.agentwire.server.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.util.Map;
import java.util.Optional;

/**
 * The seed's Socket.IO events as the hub's room calls: by name ({@code room_joining}, {@code send_message},
 * {@code thinking}, {@code control}, {@code room_leaving}), and in the numeric form ElizaOS clients send as a
 * {@code message} event ({@code {type: 1 ROOM_JOINING | 2 SEND_MESSAGE | 5 THINKING | 6 CONTROL, payload}}).
 * Each becomes one JSON-RPC call on the socket's connection, so the hub checks it as any other (scopes, limits,
 * rate). Stateless.
 */
final class RoomEvents {

    /** How a client speaks, and so how it is answered: the seed's named events, or ElizaOS's numeric form. */
    enum Style {
        /** {@code message}, {@code ack}, {@code thinking}, {@code control}; the sender does not get its own. */
        NAMED,
        /** {@code messageBroadcast}, {@code messageAck}, {@code messageError}; the sender gets its own too. */
        ELIZA
    }

    /** What one event asks the hub: the call, and what the socket needs to answer it. */
    record Call(SocketIoSocket.Kind kind, Style style, String room, String method, ObjectNode params, JsonNode arg) {}

    /** An event whose argument the hub cannot take; the message says what is missing or wrong. */
    static final class BadEvent extends Exception {
        private static final long serialVersionUID = 1L;

        BadEvent(String message) {
            super(message);
        }
    }

    private interface Reader {
        Call read(JsonNode arg, Style style) throws BadEvent;
    }

    private static final Map<String, Reader> NAMED = Map.of(
            "room_joining", RoomEvents::join,
            "send_message", RoomEvents::publish,
            "thinking", RoomEvents::typing,
            "control", RoomEvents::control,
            "room_leaving", RoomEvents::leave);

    /** ElizaOS's SOCKET_MESSAGE_TYPE numbers (3 MESSAGE and 4 ACK go only from server to client). */
    private static final Map<Integer, Reader> NUMERIC = Map.of(
            1, RoomEvents::join,
            2, RoomEvents::publish,
            5, RoomEvents::typing,
            6, RoomEvents::control);

    private RoomEvents() {}

    /** The call for event {@code name} with first argument {@code arg}, or empty for an event the hub does not know. */
    static Optional<Call> read(String name, JsonNode arg) throws BadEvent {
        if (name.equals("message")) {
            JsonNode type = arg.path("type");
            if (!type.canConvertToExactIntegral()
                    && !(type.isTextual() && type.asText().matches("[0-9]{1,2}"))) {
                throw new BadEvent("a message event needs {type, payload} with type 1 (join), 2 (send), 5 (thinking)"
                        + " or 6 (control)");
            }
            Reader r = NUMERIC.get(type.asInt());
            if (r == null) {
                throw new BadEvent("message type " + type.asText() + " is not one a client sends: 1 (join), 2 (send),"
                        + " 5 (thinking) or 6 (control)");
            }
            JsonNode payload = arg.path("payload");
            return Optional.of(r.read(payload.isObject() ? payload : arg, Style.ELIZA));
        }
        Reader r = NAMED.get(name);
        return r == null ? Optional.empty() : Optional.of(r.read(arg, Style.NAMED));
    }

    /** The event names the hub takes from a client, for error messages and docs. */
    static String known() {
        return "room_joining, send_message, thinking, control, room_leaving, message {type, payload}";
    }

    private static Call join(JsonNode a, Style style) throws BadEvent {
        String room = room(a);
        ObjectNode p = params(room);
        JsonNode history = a.path("history");
        p.put("history", history.canConvertToExactIntegral() ? Math.max(0, Math.min(history.asInt(), 1000)) : 20);
        // Socket.IO's io.to(room) reaches the sender in ElizaOS; the seed's socket.to(room) does not.
        p.put("echo", style == Style.ELIZA);
        return new Call(SocketIoSocket.Kind.JOIN, style, room, "rooms/join", p, a);
    }

    private static Call publish(JsonNode a, Style style) throws BadEvent {
        String room = room(a);
        ObjectNode p = params(room);
        JsonNode text = first(a, "text", "message", "content");
        if (text != null && text.isObject() && text.path("text").isTextual()) {
            text = text.get("text"); // {content: {text}}, as ElizaOS's Memory holds it
        }
        if (text == null || !text.isTextual()) {
            throw new BadEvent("send_message needs text (a string)");
        }
        p.put("text", text.asText());
        JsonNode data = first(a, "metadata", "data");
        if (data != null && !data.isNull()) {
            p.set("data", data);
        }
        JsonNode id = first(a, "clientMessageId", "messageId");
        if (id != null && id.isTextual()) {
            p.put("clientMessageId", id.asText());
        }
        return new Call(SocketIoSocket.Kind.PUBLISH, style, room, "rooms/publish", p, a);
    }

    private static Call typing(JsonNode a, Style style) throws BadEvent {
        String room = room(a);
        ObjectNode p = params(room);
        JsonNode state = a.path("state");
        JsonNode thinking = a.path("thinking");
        p.put(
                "state",
                state.isTextual()
                        ? state.asText()
                        : thinking.isBoolean() && !thinking.asBoolean() ? "idle" : "thinking");
        return new Call(SocketIoSocket.Kind.TYPING, style, room, "rooms/typing", p, a);
    }

    private static Call control(JsonNode a, Style style) throws BadEvent {
        String room = room(a);
        ObjectNode p = params(room);
        JsonNode action = a.path("action");
        if (!action.isTextual()) {
            throw new BadEvent("control needs action (a string)");
        }
        p.put("action", action.asText());
        if (a.has("data")) {
            p.set("data", a.get("data"));
        }
        return new Call(SocketIoSocket.Kind.CONTROL, style, room, "rooms/control", p, a);
    }

    private static Call leave(JsonNode a, Style style) throws BadEvent {
        String room = room(a);
        return new Call(SocketIoSocket.Kind.LEAVE, style, room, "rooms/leave", params(room), a);
    }

    private static String room(JsonNode a) throws BadEvent {
        JsonNode room = first(a, "roomId", "channelId", "room");
        if (room == null || !room.isTextual() || room.asText().isEmpty()) {
            throw new BadEvent("the event needs roomId (or channelId): the room's name");
        }
        return room.asText();
    }

    private static JsonNode first(JsonNode a, String... names) {
        for (String n : names) {
            JsonNode v = a.get(n);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static ObjectNode params(String room) {
        return Json.mapper().createObjectNode().put("room", room);
    }
}
