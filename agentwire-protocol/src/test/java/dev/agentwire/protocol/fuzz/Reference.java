package dev.agentwire.protocol.fuzz;

import dev.agentwire.protocol.Framing;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The framings as {@code docs/PROTOCOL.md} section 2 describes them, decoded from the whole input at once with
 * no incremental state: the model the real, incremental decoders must agree with however the input is cut.
 */
public final class Reference {

    private Reference() {}

    /** One decoded unit: its type byte and payload. */
    public record Unit(int type, Input payload) {}

    /**
     * What a stream decodes to: its units in order, and whether it broke (a unit over the limit) after them.
     *
     * @param units the units before the break (or all of them)
     * @param tooLarge whether decoding stopped at a unit over the limit
     */
    public record Outcome(List<Unit> units, boolean tooLarge) {
        public Outcome {
            units = List.copyOf(units);
        }
    }

    /** Decodes {@code bytes} in {@code framing} with units of at most {@code max} bytes. */
    public static Outcome decode(Framing framing, int max, byte[] bytes) {
        return switch (framing) {
            case NDJSON -> ndjson(max, bytes);
            case LENGTH_PREFIXED -> headed(max, bytes, 0);
            case TYPED -> headed(max, bytes, 1);
            case HTTP -> throw new IllegalArgumentException("no reference for HTTP");
        };
    }

    /**
     * NDJSON: a line is the bytes before {@code \n}, without one {@code \r} right before it; a line of only
     * spaces, tabs and CRs is skipped; a line longer than {@code max} breaks the stream, and so does an
     * unfinished last line that is already longer than {@code max} (not counting a final {@code \r}, which may
     * be the start of its {@code \r\n}).
     */
    private static Outcome ndjson(int max, byte[] bytes) {
        List<Unit> units = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
            if (end - start > max) {
                return new Outcome(units, true);
            }
            if (!blank(bytes, start, end)) {
                units.add(new Unit(0x10, new Input(Arrays.copyOfRange(bytes, start, end))));
            }
            start = i + 1;
        }
        int tail = bytes.length - start;
        if (tail > 0 && bytes[bytes.length - 1] == '\r') {
            tail--;
        }
        return new Outcome(units, tail > max);
    }

    /** Length-prefixed ({@code typeBytes} 0) or typed (1): a header whose length is over {@code max} breaks. */
    private static Outcome headed(int max, byte[] bytes, int typeBytes) {
        List<Unit> units = new ArrayList<>();
        int header = typeBytes + 4;
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int p = 0;
        while (bytes.length - p >= header) {
            long length = Integer.toUnsignedLong(in.getInt(p + typeBytes));
            if (length > max) {
                return new Outcome(units, true);
            }
            if (bytes.length - p - header < length) {
                break;
            }
            int type = typeBytes == 1 ? bytes[p] & 0xFF : 0x10;
            units.add(new Unit(type, new Input(Arrays.copyOfRange(bytes, p + header, p + header + (int) length))));
            p += header + (int) length;
        }
        return new Outcome(units, false);
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
