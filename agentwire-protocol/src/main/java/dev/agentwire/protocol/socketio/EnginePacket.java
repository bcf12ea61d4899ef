package dev.agentwire.protocol.socketio;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One Engine.IO v4 packet: its type and its data, text or binary. On a WebSocket each packet is one message
 * (a text message starts with the type's digit; a binary message is a binary {@code message} packet); a
 * long-polling body holds several, separated by the record separator {@code \x1e}, with a binary packet written
 * as {@code b} and its base64. Immutable.
 */
public record EnginePacket(Type type, String text, byte[] binary) {

    /** The record separator between the packets of one polling body. */
    public static final char SEPARATOR = '\u001e';

    /** The packet types, in the order of their digits. */
    public enum Type {
        OPEN,
        CLOSE,
        PING,
        PONG,
        MESSAGE,
        UPGRADE,
        NOOP;

        private static final Type[] ALL = values();

        /** The digit that starts the packet. */
        public char digit() {
            return (char) ('0' + ordinal());
        }
    }

    public EnginePacket {
        text = text == null ? "" : text;
    }

    /** A packet of {@code type} with text data (possibly empty). */
    public static EnginePacket of(Type type, String text) {
        return new EnginePacket(type, text, null);
    }

    /** A packet of {@code type} without data. */
    public static EnginePacket of(Type type) {
        return new EnginePacket(type, "", null);
    }

    /** A binary {@code message} packet. */
    public static EnginePacket binary(byte[] data) {
        return new EnginePacket(Type.MESSAGE, "", data.clone());
    }

    public boolean isBinary() {
        return binary != null;
    }

    /** As one WebSocket text message, or one record of a polling body (binary as {@code b} + base64). */
    public String encode() {
        if (binary != null) {
            return "b" + Base64.getEncoder().encodeToString(binary);
        }
        return type.digit() + text;
    }

    /** One packet as a WebSocket text message or a polling record carries it. */
    public static EnginePacket decode(String s) throws SocketIoProtocolException {
        if (s.isEmpty()) {
            throw new SocketIoProtocolException("an empty Engine.IO packet");
        }
        char c = s.charAt(0);
        if (c == 'b') {
            try {
                return new EnginePacket(Type.MESSAGE, "", Base64.getDecoder().decode(s.substring(1)));
            } catch (IllegalArgumentException e) {
                throw new SocketIoProtocolException("a binary Engine.IO packet that is not base64");
            }
        }
        if (c < '0' || c > '6') {
            throw new SocketIoProtocolException("an Engine.IO packet of unknown type '" + printable(c) + "'");
        }
        return new EnginePacket(Type.ALL[c - '0'], s.substring(1), null);
    }

    /** The packets of a polling body, at most {@code maxPackets} of them. */
    public static List<EnginePacket> decodePayload(String body, int maxPackets) throws SocketIoProtocolException {
        List<EnginePacket> out = new ArrayList<>();
        int from = 0;
        while (from <= body.length()) {
            int to = body.indexOf(SEPARATOR, from);
            if (to < 0) {
                to = body.length();
            }
            if (out.size() == maxPackets) {
                throw new SocketIoProtocolException("more than " + maxPackets + " packets in one polling request");
            }
            out.add(decode(body.substring(from, to)));
            from = to + 1;
        }
        return out;
    }

    /** A polling body of {@code packets}. */
    public static String encodePayload(List<EnginePacket> packets) {
        StringBuilder b = new StringBuilder();
        for (EnginePacket p : packets) {
            if (b.length() > 0) {
                b.append(SEPARATOR);
            }
            b.append(p.encode());
        }
        return b.toString();
    }

    /** The bytes this packet takes on the wire, as UTF-8 text. */
    public int sizeBytes() {
        return binary != null ? 1 + (binary.length + 2) / 3 * 4 : 1 + text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnginePacket p
                && p.type == type
                && p.text.equals(text)
                && java.util.Arrays.equals(p.binary, binary);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + text.hashCode() * 17 + java.util.Arrays.hashCode(binary);
    }

    @Override
    public String toString() {
        return binary != null ? "EnginePacket[binary " + binary.length + " bytes]" : "EnginePacket[" + encode() + "]";
    }
}
