package dev.agentwire.server.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * WebSocket frames (RFC 6455) for the fuzz tests: writing client frames (masked, or deliberately not), and
 * reading the server's frames back. Stateless.
 */
final class WsFrames {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private WsFrames() {}

    /** A frame as a client sends it. */
    record Frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {

        static Frame of(int opcode, byte[] payload) {
            return new Frame(true, 0, opcode, true, payload);
        }

        byte[] encode(int mask) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
            out.write((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | (opcode & 0xF));
            int maskBit = masked ? 0x80 : 0;
            if (payload.length < 126) {
                out.write(maskBit | payload.length);
            } else if (payload.length < 65_536) {
                out.write(maskBit | 126);
                out.write(payload.length >> 8);
                out.write(payload.length & 0xFF);
            } else {
                out.write(maskBit | 127);
                out.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
            }
            byte[] key = ByteBuffer.allocate(4).putInt(mask).array();
            if (masked) {
                out.writeBytes(key);
            }
            for (int i = 0; i < payload.length; i++) {
                out.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
            }
            return out.toByteArray();
        }
    }

    /** A frame the server sent. */
    record Received(boolean fin, int opcode, byte[] payload) {
        /** The status code of a close frame (1005 when it has none). */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    /** The server's frames in {@code bytes}; fails on a frame cut short or a masked one. */
    static List<Received> read(byte[] bytes) {
        List<Received> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        while (in.hasRemaining()) {
            int b0 = in.get() & 0xFF;
            int b1 = in.get() & 0xFF;
            if ((b1 & 0x80) != 0) {
                throw new AssertionError("the server masked a frame");
            }
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.getShort() & 0xFFFF;
            } else if (length == 127) {
                length = in.getLong();
            }
            if (length > in.remaining()) {
                throw new AssertionError(
                        "a server frame cut short: " + length + " bytes declared, " + in.remaining() + " sent");
            }
            byte[] payload = new byte[(int) length];
            in.get(payload);
            out.add(new Received((b0 & 0x80) != 0, b0 & 0xF, payload));
        }
        return out;
    }
}
