package dev.agentwire.protocol;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * NDJSON: one JSON text per line, ended by {@code \n} (a {@code \r} before it is dropped). Blank lines are
 * skipped. A line longer than {@code maxLength} bytes (not counting its line ending) fails as soon as more than
 * that many bytes arrive without a newline; a final {@code \r} of an unfinished line is not counted yet, since
 * it may be the start of the line's {@code \r\n}, so the outcome never depends on where a read ends.
 */
public final class NdjsonDecoder implements StreamDecoder {

    private final int maxLength;
    /** How far into the pending bytes we already looked for a newline. */
    private int scanned;

    public NdjsonDecoder(int maxLength) {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        this.maxLength = maxLength;
    }

    @Override
    public void decode(ByteBuffer in, Consumer<Frame> out) {
        while (true) {
            int start = in.position();
            int limit = in.limit();
            int eol = -1;
            for (int i = start + scanned; i < limit; i++) {
                if (in.get(i) == '\n') {
                    eol = i;
                    break;
                }
            }
            if (eol < 0) {
                scanned = limit - start;
                int length = scanned > 0 && in.get(limit - 1) == '\r' ? scanned - 1 : scanned;
                if (length > maxLength) {
                    throw FramingException.tooLarge("line", length, maxLength);
                }
                return;
            }
            scanned = 0;
            int end = eol > start && in.get(eol - 1) == '\r' ? eol - 1 : eol;
            int length = end - start;
            if (length > maxLength) {
                throw FramingException.tooLarge("line", length, maxLength);
            }
            in.position(eol + 1);
            if (!isBlank(in, start, end)) {
                byte[] line = new byte[length];
                in.get(start, line, 0, length);
                out.accept(Frame.of(FrameType.JSON_RPC, line));
            }
        }
    }

    @Override
    public Framing framing() {
        return Framing.NDJSON;
    }

    private static boolean isBlank(ByteBuffer in, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = in.get(i);
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
