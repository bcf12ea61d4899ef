package dev.agentwire.protocol.fuzz;

import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.Framing;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Byte streams in each framing, built from the JSON-RPC corpus and then mutated: NDJSON lines (blank ones,
 * {@code \r\n} endings, lines at and around the limit), length-prefixed and typed frames (with declared lengths
 * changed: zero, at and around the limit, the u32 extremes), then byte-level havoc over the whole stream.
 */
public final class Streams {

    /** Limits the decoders are fuzzed with: tiny ones put every path in reach. */
    private static final List<Integer> LIMITS = List.of(1, 2, 7, 16, 64, 300, 4096);

    private Streams() {}

    /**
     * A stream and the decoder limit it is read with.
     *
     * @param framing the framing the stream is in
     * @param max the decoder's maximum unit length
     * @param input the bytes
     */
    public record Stream(Framing framing, int max, Input input) {

        /** The same framing and limit over other bytes (for minimizing). */
        public Stream with(Input other) {
            return new Stream(framing, max, other);
        }
    }

    /** A stream in {@code framing} (NDJSON, length-prefixed or typed) read with a random small limit. */
    public static Stream of(Gen g, Framing framing) {
        return switch (framing) {
            case NDJSON -> ndjson(g, g.pick(LIMITS));
            case LENGTH_PREFIXED, TYPED ->
                framed(g, framing, g.chance(85) ? g.pick(LIMITS) : Framing.DEFAULT_MAX_BYTES);
            case HTTP -> throw new IllegalArgumentException("HTTP is fuzzed by the hub tests");
        };
    }

    /** A stream in one of the three framings. */
    public static Stream any(Gen g) {
        return of(g, g.pick(Framing.NDJSON, Framing.LENGTH_PREFIXED, Framing.TYPED));
    }

    /** NDJSON: texts, blank lines, lines padded to the limit plus or minus two, with mixed line endings. */
    public static Stream ndjson(Gen g, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = g.between(0, 8); i > 0; i--) {
            byte[] line = switch (g.weighted(5, 1, 3)) {
                case 0 -> JsonRpcCorpus.anyText(g).bytes();
                case 1 -> JsonRpcCorpus.bytes(g.pick("", " ", "\t", "\r", " \r"));
                default -> pad(JsonRpcCorpus.validText(g), max + g.between(-2, 2), g.pick(' ', 'x', '\r'));
            };
            out.writeBytes(line);
            out.writeBytes(JsonRpcCorpus.bytes(g.pick("\n", "\n", "\r\n", "")));
        }
        return new Stream(Framing.NDJSON, max, new Input(havoc(g, out.toByteArray(), max)));
    }

    /** Length-prefixed JSON or typed frames of any type, some with their declared length changed. */
    public static Stream framed(Gen g, Framing framing, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = g.between(0, 6); i > 0; i--) {
            byte[] payload = JsonRpcCorpus.anyText(g).bytes();
            int type = switch (g.weighted(4, 1, 1)) {
                case 0 -> 0x10;
                case 1 -> g.between(0x01, 0x07);
                default -> g.between(0, 255);
            };
            byte[] frame = framing == Framing.TYPED
                    ? FrameEncoding.typed(type, payload)
                    : FrameEncoding.lengthPrefixed(payload);
            if (g.chance(20)) {
                int length = g.chance(70)
                        ? g.pick(0, 1, max - 1, max, max + 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF)
                        : g.anyInt();
                ByteBuffer.wrap(frame).putInt(framing == Framing.TYPED ? 1 : 0, length);
            }
            out.writeBytes(frame);
        }
        return new Stream(framing, max, new Input(havoc(g, out.toByteArray(), max)));
    }

    /** Usually a few byte-level mutations over the whole stream, sometimes none. */
    private static byte[] havoc(Gen g, byte[] bytes, int max) {
        return g.chance(33) ? bytes : Mutation.havoc(g, bytes, 4, JsonRpcCorpus.SEEDS, max);
    }

    /** {@code text} padded (or cut) to exactly {@code length} bytes with {@code pad}. */
    private static byte[] pad(String text, int length, char pad) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[Math.max(0, length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = i < t.length ? t[i] : (byte) pad;
        }
        return out;
    }
}
