package dev.agentwire.protocol;

import java.nio.ByteBuffer;

/** Encodes JSON texts and frames into each framing's bytes. Stateless; for tests, tools and simple clients. */
public final class FrameEncoding {

    private FrameEncoding() {}

    /** The bytes that carry one JSON text in {@code framing}. */
    public static byte[] encode(Framing framing, byte[] json) {
        return switch (framing) {
            case NDJSON -> line(json);
            case LENGTH_PREFIXED -> lengthPrefixed(json);
            case TYPED -> typed(FrameType.JSON_RPC.code(), json);
            case HTTP -> throw new IllegalArgumentException("HTTP is not a message framing");
        };
    }

    /** {@code json} followed by {@code \n}. */
    public static byte[] line(byte[] json) {
        byte[] out = new byte[json.length + 1];
        System.arraycopy(json, 0, out, 0, json.length);
        out[json.length] = '\n';
        return out;
    }

    /** {@code [u32 length][json]}. */
    public static byte[] lengthPrefixed(byte[] json) {
        return ByteBuffer.allocate(4 + json.length)
                .putInt(json.length)
                .put(json)
                .array();
    }

    /** {@code [u8 type][u32 length][payload]}. */
    public static byte[] typed(int type, byte[] payload) {
        return ByteBuffer.allocate(TypedFrameDecoder.HEADER_BYTES + payload.length)
                .put((byte) type)
                .putInt(payload.length)
                .put(payload)
                .array();
    }

    /** A frame's bytes. */
    public static byte[] typed(Frame frame) {
        return typed(frame.type(), frame.payload());
    }
}
