package dev.agentwire.protocol.socketio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.util.Set;

/**
 * One Socket.IO v5 packet, as the data of an Engine.IO {@code message} packet:
 * {@code <type>[<attachments>-][<namespace>,][<ack id>][<JSON>]}. Decoding checks what the protocol requires of
 * each type's data (a CONNECT carries an object or nothing; an EVENT a non-empty array whose first element names
 * a non-reserved event; an ACK an array; a DISCONNECT nothing). Immutable; {@code data} is null when absent.
 */
public record SocketIoPacket(Type type, String namespace, long ackId, JsonNode data, int attachments) {

    /** No acknowledgement asked for. */
    public static final long NO_ACK = -1;

    /** The largest acknowledgement id: JavaScript's largest safe integer. */
    public static final long MAX_ACK_ID = (1L << 53) - 1;

    /** The event names a peer may not emit: the client library's own. */
    public static final Set<String> RESERVED_EVENTS =
            Set.of("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    /** The packet types, in the order of their digits. */
    public enum Type {
        CONNECT,
        DISCONNECT,
        EVENT,
        ACK,
        CONNECT_ERROR,
        BINARY_EVENT,
        BINARY_ACK;

        private static final Type[] ALL = values();

        boolean binary() {
            return this == BINARY_EVENT || this == BINARY_ACK;
        }
    }

    public SocketIoPacket {
        namespace = namespace == null || namespace.isEmpty() ? "/" : namespace;
    }

    /** A CONNECT answer with {@code data} (the session's ids). */
    public static SocketIoPacket connect(String namespace, ObjectNode data) {
        return new SocketIoPacket(Type.CONNECT, namespace, NO_ACK, data, 0);
    }

    /** A CONNECT_ERROR with {@code message} and, when not null, {@code data} (the client's {@code err.data}). */
    public static SocketIoPacket connectError(String namespace, String message, JsonNode data) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("message", message);
        if (data != null) {
            body.set("data", data);
        }
        return new SocketIoPacket(Type.CONNECT_ERROR, namespace, NO_ACK, body, 0);
    }

    /** An EVENT named {@code name} with {@code args}. */
    public static SocketIoPacket event(String namespace, String name, JsonNode... args) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode().add(name);
        for (JsonNode arg : args) {
            a.add(arg);
        }
        return new SocketIoPacket(Type.EVENT, namespace, NO_ACK, a, 0);
    }

    /** The ACK of {@code ackId} with {@code args}. */
    public static SocketIoPacket ack(String namespace, long ackId, JsonNode... args) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (JsonNode arg : args) {
            a.add(arg);
        }
        return new SocketIoPacket(Type.ACK, namespace, ackId, a, 0);
    }

    /** A DISCONNECT of {@code namespace}. */
    public static SocketIoPacket disconnect(String namespace) {
        return new SocketIoPacket(Type.DISCONNECT, namespace, NO_ACK, null, 0);
    }

    /** Whether the sender asked for an acknowledgement. */
    public boolean wantsAck() {
        return ackId != NO_ACK;
    }

    /** An EVENT's name (its data's first element). */
    public String eventName() {
        return data.get(0).asText();
    }

    /** An EVENT's arguments after the name. */
    public java.util.List<JsonNode> eventArgs() {
        java.util.List<JsonNode> out = new java.util.ArrayList<>();
        for (int i = 1; i < data.size(); i++) {
            out.add(data.get(i));
        }
        return out;
    }

    /** The packet as the text of an Engine.IO {@code message}. */
    public String encode() {
        StringBuilder b = new StringBuilder().append((char) ('0' + type.ordinal()));
        if (type.binary()) {
            b.append(attachments).append('-');
        }
        if (!namespace.equals("/")) {
            b.append(namespace).append(',');
        }
        if (ackId != NO_ACK) {
            b.append(ackId);
        }
        if (data != null) {
            try {
                b.append(Json.mapper().writeValueAsString(data));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return b.toString();
    }

    /** Reads the text of an Engine.IO {@code message} packet. */
    public static SocketIoPacket decode(String s) throws SocketIoProtocolException {
        if (s.isEmpty()) {
            throw new SocketIoProtocolException("an empty Socket.IO packet");
        }
        int t = s.charAt(0) - '0';
        if (t < 0 || t >= Type.ALL.length) {
            throw new SocketIoProtocolException("a Socket.IO packet of unknown type");
        }
        Type type = Type.ALL[t];
        int i = 1;
        int attachments = 0;
        if (type.binary()) {
            int dash = s.indexOf('-', i);
            if (dash < 0 || dash == i || dash - i > 6 || !digits(s, i, dash)) {
                throw new SocketIoProtocolException("a binary Socket.IO packet without its attachment count");
            }
            attachments = Integer.parseInt(s.substring(i, dash));
            i = dash + 1;
        }
        String namespace = "/";
        if (i < s.length() && s.charAt(i) == '/') {
            int comma = s.indexOf(',', i);
            int end = comma < 0 ? s.length() : comma;
            namespace = s.substring(i, end);
            i = comma < 0 ? end : end + 1;
        }
        long ackId = NO_ACK;
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i > start) {
            if (i - start > 16 || Long.parseLong(s.substring(start, i)) > MAX_ACK_ID) {
                throw new SocketIoProtocolException("an acknowledgement id beyond 2^53");
            }
            ackId = Long.parseLong(s.substring(start, i));
        }
        JsonNode data = null;
        if (i < s.length()) {
            try {
                data = Json.mapper().readTree(s.substring(i));
            } catch (JsonProcessingException e) {
                throw new SocketIoProtocolException("a Socket.IO packet whose data is not JSON");
            }
        }
        if (!valid(type, data)) {
            throw new SocketIoProtocolException("a " + type + " packet with data the protocol does not allow");
        }
        return new SocketIoPacket(type, namespace, ackId, data, attachments);
    }

    private static boolean valid(Type type, JsonNode data) {
        return switch (type) {
            case CONNECT -> data == null || data.isObject();
            case DISCONNECT -> data == null;
            case CONNECT_ERROR -> data != null && (data.isTextual() || data.isObject());
            case EVENT, BINARY_EVENT ->
                data != null
                        && data.isArray()
                        && !data.isEmpty()
                        && (data.get(0).isNumber()
                                || (data.get(0).isTextual()
                                        && !RESERVED_EVENTS.contains(data.get(0).asText())));
            case ACK, BINARY_ACK -> data != null && data.isArray();
        };
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
