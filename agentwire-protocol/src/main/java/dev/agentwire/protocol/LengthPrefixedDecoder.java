package dev.agentwire.protocol;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Length-prefixed JSON: {@code [u32 big-endian length][JSON]} repeated. The stream is introduced by its first
 * length's high byte, which is 0x00 for any length under 16 MiB. A declared length over {@code maxLength} fails
 * before any payload is buffered or allocated.
 */
public final class LengthPrefixedDecoder implements StreamDecoder {

    private final int maxLength;

    public LengthPrefixedDecoder(int maxLength) {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        this.maxLength = maxLength;
    }

    @Override
    public void decode(ByteBuffer in, Consumer<Frame> out) {
        while (in.remaining() >= 4) {
            int p = in.position();
            long length = Integer.toUnsignedLong(in.getInt(p));
            if (length > maxLength) {
                throw FramingException.tooLarge("message", length, maxLength);
            }
            if (in.remaining() < 4 + length) {
                return;
            }
            byte[] payload = new byte[(int) length];
            in.get(p + 4, payload, 0, payload.length);
            in.position(p + 4 + (int) length);
            out.accept(Frame.of(FrameType.JSON_RPC, payload));
        }
    }

    @Override
    public Framing framing() {
        return Framing.LENGTH_PREFIXED;
    }
}
