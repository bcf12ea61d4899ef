package dev.agentwire.protocol;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Typed frames: {@code [u8 type][u32 big-endian length][payload]} repeated. Unknown type bytes are passed on
 * (the receiver answers them); a declared length over {@code maxLength} fails before any allocation.
 */
public final class TypedFrameDecoder implements StreamDecoder {

    /** Bytes before the payload. */
    public static final int HEADER_BYTES = 5;

    private final int maxLength;

    public TypedFrameDecoder(int maxLength) {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        this.maxLength = maxLength;
    }

    @Override
    public void decode(ByteBuffer in, Consumer<Frame> out) {
        while (in.remaining() >= HEADER_BYTES) {
            int p = in.position();
            int type = in.get(p) & 0xFF;
            long length = Integer.toUnsignedLong(in.getInt(p + 1));
            if (length > maxLength) {
                throw FramingException.tooLarge("frame", length, maxLength);
            }
            if (in.remaining() < HEADER_BYTES + length) {
                return;
            }
            byte[] payload = new byte[(int) length];
            in.get(p + HEADER_BYTES, payload, 0, payload.length);
            in.position(p + HEADER_BYTES + (int) length);
            out.accept(new Frame(type, payload));
        }
    }

    @Override
    public Framing framing() {
        return Framing.TYPED;
    }
}
