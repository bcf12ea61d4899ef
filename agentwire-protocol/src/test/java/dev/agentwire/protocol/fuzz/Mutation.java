package dev.agentwire.protocol.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One byte-level change to an input, in the style of AFL's havoc stage: a bit flip, a byte set, an interesting
 * token inserted (newlines, NUL, a BOM, broken UTF-8, JSON punctuation, huge numbers, HTTP separators), a range
 * deleted or duplicated, a truncation, a 32-bit length field overwritten or inserted, or a piece of another
 * corpus entry spliced in. Positions are taken modulo the input's length, so a mutation applies to any input
 * and jqwik can shrink inputs and mutation lists independently.
 *
 * @param kind what to do
 * @param at where, modulo the length (+1 where the end is a valid position)
 * @param span how many bytes a range covers (1 or more)
 * @param pick which token, value, bit or splice source
 */
public record Mutation(Kind kind, int at, int span, int pick) {

    /** The kinds of change. */
    public enum Kind {
        FLIP_BIT,
        SET_BYTE,
        INSERT_TOKEN,
        DELETE,
        DUPLICATE,
        TRUNCATE,
        OVERWRITE_INT32,
        INSERT_INT32,
        SPLICE,
        CROSSOVER
    }

    /** Byte strings that tend to matter to JSON, UTF-8, the framings and HTTP. */
    static final List<byte[]> TOKENS = List.of(
            bytes("\n"),
            bytes("\r\n"),
            bytes("\r"),
            new byte[] {0},
            new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, // UTF-8 BOM
            new byte[] {(byte) 0xFE, (byte) 0xFF}, // UTF-16 BOM
            new byte[] {(byte) 0xC0, (byte) 0x80}, // overlong NUL
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate in UTF-8
            new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xE2, (byte) 0x82}, // a truncated sequence
            bytes("{"),
            bytes("}"),
            bytes("["),
            bytes("]"),
            bytes("\""),
            bytes(","),
            bytes(":"),
            bytes("\\"),
            bytes("\\u0000"),
            bytes("\\ud800"),
            bytes("1e999999"),
            bytes("-0"),
            bytes("123456789012345678901234567890"),
            bytes("null"),
            bytes(" "),
            bytes("\t"),
            bytes("[".repeat(16)),
            bytes("{\"a\":"),
            bytes("\"jsonrpc\":\"2.0\","),
            bytes("\"id\":1,"),
            new byte[] {0, 0, 0, 0},
            new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
            new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
            new byte[] {0x10},
            new byte[] {0x07, 0, 0, 0, 0},
            bytes("\r\n\r\n"),
            bytes(" HTTP/1.1"),
            bytes("Content-Length: "),
            bytes("Transfer-Encoding: chunked\r\n"),
            bytes(": "),
            bytes("0\r\n\r\n"),
            bytes("%"),
            bytes("%00"),
            bytes("?token="),
            bytes("\u00e9\u4e2d\ud83d\ude00"));

    private static final Kind[] KINDS = Kind.values();

    /** A mutation of any kind. */
    public static Mutation random(Gen g) {
        return new Mutation(g.pick(KINDS), g.between(0, 65_535), g.between(1, 64), g.between(0, 65_535));
    }

    /** Up to {@code max} mutations. */
    public static List<Mutation> list(Gen g, int max) {
        int n = g.between(0, max);
        List<Mutation> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(random(g));
        }
        return out;
    }

    /** {@code input} with up to {@code max} random mutations. */
    public static byte[] havoc(Gen g, byte[] input, int max, List<byte[]> sources, int limit) {
        return applyAll(input, list(g, max), sources, limit);
    }

    /**
     * Applies {@code mutations} in order.
     *
     * @param sources inputs to splice from (may be empty)
     * @param limit the decoder's maximum, for length fields at and around it
     */
    public static byte[] applyAll(byte[] input, List<Mutation> mutations, List<byte[]> sources, int limit) {
        byte[] out = input;
        for (Mutation m : mutations) {
            out = m.apply(out, sources, limit);
        }
        return out;
    }

    /** This change applied to {@code in} (which is not modified). */
    public byte[] apply(byte[] in, List<byte[]> sources, int limit) {
        int n = in.length;
        int pos = at % (n + 1);
        switch (kind) {
            case FLIP_BIT -> {
                if (n == 0) {
                    return in;
                }
                byte[] out = in.clone();
                out[at % n] ^= (byte) (1 << (pick & 7));
                return out;
            }
            case SET_BYTE -> {
                if (n == 0) {
                    return in;
                }
                byte[] out = in.clone();
                out[at % n] = (byte) pick;
                return out;
            }
            case INSERT_TOKEN -> {
                return insert(in, pos, TOKENS.get(pick % TOKENS.size()));
            }
            case DELETE -> {
                int end = Math.min(n, pos + span);
                return concat(Arrays.copyOfRange(in, 0, pos), Arrays.copyOfRange(in, end, n));
            }
            case DUPLICATE -> {
                int end = Math.min(n, pos + span);
                return insert(in, end, Arrays.copyOfRange(in, pos, end));
            }
            case TRUNCATE -> {
                return Arrays.copyOf(in, pos);
            }
            case OVERWRITE_INT32 -> {
                if (n < 4) {
                    return in;
                }
                byte[] out = in.clone();
                ByteBuffer.wrap(out).putInt(at % (n - 3), interestingInt(limit));
                return out;
            }
            case INSERT_INT32 -> {
                return insert(
                        in,
                        pos,
                        ByteBuffer.allocate(4).putInt(interestingInt(limit)).array());
            }
            case SPLICE, CROSSOVER -> {
                if (sources.isEmpty()) {
                    return in;
                }
                byte[] other = sources.get(pick % sources.size());
                int from = other.length == 0 ? 0 : (at / 7) % other.length;
                byte[] piece = kind == Kind.SPLICE
                        ? Arrays.copyOfRange(other, from, Math.min(other.length, from + span * 4))
                        : Arrays.copyOfRange(other, from, other.length);
                return kind == Kind.SPLICE ? insert(in, pos, piece) : concat(Arrays.copyOf(in, pos), piece);
            }
        }
        throw new IllegalStateException(kind.name());
    }

    /** Lengths that sit on a boundary: tiny, at and around the limit, and the extremes of a u32. */
    private int interestingInt(int limit) {
        int[] values = {
            0,
            1,
            2,
            4,
            5,
            limit - 1,
            limit,
            limit + 1,
            limit + 5,
            0x7FFF_FFFF,
            0x8000_0000,
            0xFFFF_FFFF,
            0x00FF_FFFF,
            0x0100_0000
        };
        return pick < values.length * 4 ? values[pick % values.length] : pick * 977;
    }

    private static byte[] insert(byte[] in, int pos, byte[] piece) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + piece.length);
        out.write(in, 0, pos);
        out.writeBytes(piece);
        out.write(in, pos, in.length - pos);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
