package dev.agentwire.protocol;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Complete JSON values, whatever separates them: a value that starts with {@code {} or {@code [} ends where its
 * brackets balance (outside strings), so {@code {"a":1}{"b":2}}, a pretty-printed value over several lines and
 * a value without a trailing newline on a connection kept open are each read as soon as they are complete.
 * Whitespace between values is skipped. Anything else runs to the end of its line (so a line of garbage becomes
 * one frame, for the reader to refuse). It does not check the JSON inside a balanced value: a frame is a value's
 * bytes, malformed or not, for the reader to parse. This is what the orchestrator seed's agents need (they write
 * an envelope and no newline); every NDJSON line whose brackets balance reads the same as with
 * {@link NdjsonDecoder}.
 *
 * <p>A value (or line) longer than {@code maxLength} bytes fails as soon as more than that many bytes of it
 * arrive. {@link #finish} hands over what is left when the input ends. Stateful per connection, not thread safe.
 */
public final class JsonValueDecoder implements StreamDecoder {

    private final int maxLength;
    /** How far into the pending value we already looked; 0 when no value is pending. */
    private int scanned;
    /** Open brackets of the pending value, outside strings. */
    private int depth;

    private boolean inString;
    private boolean escaped;
    /** The pending unit is a line (it did not start with a bracket). */
    private boolean line;

    public JsonValueDecoder(int maxLength) {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be positive: " + maxLength);
        }
        this.maxLength = maxLength;
    }

    @Override
    public void decode(ByteBuffer in, Consumer<Frame> out) {
        while (true) {
            if (scanned == 0 && !skipWhitespace(in)) {
                return;
            }
            int start = in.position();
            if (scanned == 0) {
                byte first = in.get(start);
                line = first != '{' && first != '[';
            }
            int end = line ? lineEnd(in, start) : valueEnd(in, start);
            if (end < 0) {
                scanned = in.limit() - start;
                int length = line && in.get(in.limit() - 1) == '\r' ? scanned - 1 : scanned;
                if (length > maxLength) {
                    throw FramingException.tooLarge(line ? "line" : "JSON value", length, maxLength);
                }
                return;
            }
            int next = end;
            if (line) {
                next = end + 1; // past the newline
                end = end > start && in.get(end - 1) == '\r' ? end - 1 : end;
            }
            int length = end - start;
            if (length > maxLength) {
                throw FramingException.tooLarge(line ? "line" : "JSON value", length, maxLength);
            }
            byte[] bytes = new byte[length];
            in.get(start, bytes, 0, length);
            in.position(next);
            reset();
            out.accept(Frame.of(FrameType.JSON_RPC, bytes));
        }
    }

    /**
     * The input ended: what is left of an unfinished value or line (not only whitespace) becomes one last frame,
     * so that the reader can say it is incomplete instead of it vanishing.
     */
    @Override
    public void finish(ByteBuffer in, Consumer<Frame> out) {
        decode(in, out);
        if (skipWhitespace(in)) {
            byte[] rest = new byte[in.remaining()];
            in.get(rest);
            reset();
            out.accept(Frame.of(FrameType.JSON_RPC, rest));
        }
    }

    @Override
    public Framing framing() {
        return Framing.NDJSON;
    }

    /** Skips whitespace before a value; whether a value's first byte is there. */
    private static boolean skipWhitespace(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get(in.position());
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return true;
            }
            in.position(in.position() + 1);
        }
        return false;
    }

    /** Where the newline of the pending line is, or -1. */
    private int lineEnd(ByteBuffer in, int start) {
        for (int i = start + scanned; i < in.limit(); i++) {
            if (in.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Just past the bracket that closes the pending value, or -1; keeps the scan's state between reads. */
    private int valueEnd(ByteBuffer in, int start) {
        for (int i = start + scanned; i < in.limit(); i++) {
            byte b = in.get(i);
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if ((b == '}' || b == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    private void reset() {
        scanned = 0;
        depth = 0;
        inString = false;
        escaped = false;
        line = false;
    }
}
