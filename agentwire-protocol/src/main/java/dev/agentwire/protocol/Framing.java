package dev.agentwire.protocol;

import java.util.Optional;

/**
 * The ways a stream connection can carry messages, chosen per connection by its first byte.
 *
 * <p>Whitespace (0x09, 0x0A, 0x0D, 0x20) starts NDJSON even though it lies in the typed-frame range: no frame
 * type uses those bytes.
 */
public enum Framing {
    /** One JSON text per {@code \n}-terminated line. */
    NDJSON,
    /** {@code [u32 big-endian length][JSON]}, introduced by a 0x00 byte. */
    LENGTH_PREFIXED,
    /** {@code [u8 type][u32 big-endian length][payload]}. */
    TYPED,
    /** HTTP/1.1 (only on the TCP port). */
    HTTP;

    /** Default limit of one line, frame or message: 16 MiB. */
    public static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

    /**
     * The framing that a stream starting with {@code firstByte} uses.
     *
     * @param allowHttp whether HTTP methods are recognised (the TCP port)
     * @return empty when the byte matches no framing
     */
    public static Optional<Framing> sniff(int firstByte, boolean allowHttp) {
        int b = firstByte & 0xFF;
        switch (b) {
            case '{', '[', ' ', '\t', '\r', '\n':
                return Optional.of(NDJSON);
            case 0x00:
                return Optional.of(LENGTH_PREFIXED);
            case 'G', 'P', 'H', 'D', 'O':
                return allowHttp ? Optional.of(HTTP) : Optional.empty();
            default:
                return b <= 0x3F ? Optional.of(TYPED) : Optional.empty();
        }
    }

    /** A human description of a first byte that matched nothing, for the one error line. */
    public static String describeUnknown(int firstByte, boolean allowHttp) {
        int b = firstByte & 0xFF;
        String shown = b >= 0x20 && b < 0x7F ? "'" + (char) b + "' (0x" + hex(b) + ")" : "0x" + hex(b);
        return "first byte " + shown + " matches no framing: expected '{' or '[' (NDJSON), 0x00 (length-prefixed"
                + " JSON), 0x01-0x3F (typed frames)" + (allowHttp ? " or an HTTP method" : "");
    }

    /** A decoder for this framing. HTTP has none here: the transport owns it. */
    public StreamDecoder newDecoder(int maxBytes) {
        return switch (this) {
            case NDJSON -> new NdjsonDecoder(maxBytes);
            case LENGTH_PREFIXED -> new LengthPrefixedDecoder(maxBytes);
            case TYPED -> new TypedFrameDecoder(maxBytes);
            case HTTP -> throw new IllegalStateException("HTTP is decoded by the transport");
        };
    }

    private static String hex(int b) {
        return String.format("%02X", b);
    }
}
