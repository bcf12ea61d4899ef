package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A terminal session's recording, {@code output.cast} in asciicast v2: a header line ({@code version} 2,
 * {@code width}, {@code height}, {@code timestamp}, {@code command}, {@code title}), then one event a line,
 * {@code [seconds, "o", text]} for output and {@code [seconds, "r", "COLSxROWS"]} for a resize.
 *
 * <p>The file's only writer. The session's reader appends output, a caller appends a resize, the reader closes it
 * when the process ends: each holds this object's lock for a whole line (written and flushed) or for the close, so
 * no line is ever cut or mixed with another. Events after {@link #close} are dropped. Thread safe.
 *
 * <p>A spawned terminal's forwarder writes its own ({@code dev.agentwire.server.terminals.Forwarder}), so that the
 * recording goes on across hub restarts; the hub's session then keeps {@link #none}.
 */
public final class CastFile implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CastFile.class);

    private final String id;
    private final Writer out;
    private final LongSupplier nanoTime;
    private final long start;
    private boolean closed; // guarded by this
    private final StringBuilder line = new StringBuilder(); // guarded by this

    private CastFile(String id, Writer out, LongSupplier nanoTime) {
        this.id = id;
        this.out = out;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
    }

    /**
     * Makes {@code file} anew ({@link SessionFiles#newWriter}: 0600, a link there is replaced) and writes the header.
     *
     * @param id the session's, for the log
     * @param startedAtMillis when the session started (the header's {@code timestamp}, in seconds)
     */
    public static CastFile create(
            String id, Path file, int cols, int rows, long startedAtMillis, List<String> command, String title)
            throws IOException {
        Writer out = SessionFiles.newWriter(file);
        ObjectNode header = Json.mapper().createObjectNode();
        header.put("version", 2);
        header.put("width", cols);
        header.put("height", rows);
        header.put("timestamp", startedAtMillis / 1000);
        header.put("command", String.join(" ", command));
        header.put("title", title);
        try {
            out.write(header.toString());
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            out.close();
            throw e;
        }
        return new CastFile(id, out, System::nanoTime);
    }

    /** A recording that records nothing: the session's forwarder writes {@code output.cast}. */
    static CastFile none(String id) {
        CastFile none = new CastFile(id, Writer.nullWriter(), System::nanoTime);
        none.closed = true;
        return none;
    }

    /** Appends what the process wrote. */
    public void output(String text) {
        append("o", text);
    }

    /** Appends a change of the window's size. */
    public void resize(int cols, int rows) {
        append("r", cols + "x" + rows);
    }

    private synchronized void append(String kind, String data) {
        if (closed) {
            return;
        }
        // Written by hand into one reused buffer: a JSON tree per read of the terminal cost more than the write.
        line.setLength(0);
        line.append('[')
                .append((nanoTime.getAsLong() - start) / 1e9)
                .append(", \"")
                .append(kind)
                .append("\", ");
        appendJsonString(line, data);
        line.append("]\n");
        try {
            out.append(line);
            out.flush();
        } catch (IOException e) {
            log.debug("terminal {}: output.cast: {}", id, e.toString());
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** {@code text} as a JSON string, quotes included. */
    static void appendJsonString(StringBuilder to, String text) {
        to.append('"');
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            to.append(text, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> to.append("\\\"");
                case '\\' -> to.append("\\\\");
                case '\n' -> to.append("\\n");
                case '\r' -> to.append("\\r");
                case '\t' -> to.append("\\t");
                default -> to.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 15]); // c < 0x20
            }
        }
        to.append(text, from, text.length()).append('"');
    }

    /** Flushes and closes the file; later events are dropped. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            log.debug("terminal {}: closing output.cast: {}", id, e.toString());
        }
    }
}
