package dev.agentwire.core.terminals;

import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is typed into one terminal, written to its pseudo-terminal on a thread of the terminals' input pool, in
 * order, so that a program that stops reading its input (its buffer full) holds only that thread, never the
 * worker that answered {@code terminals/input}. At most {@code maxPending} bytes may wait; more is refused with
 * {@code -32008} ({@code input_backlog}) naming both numbers, and nothing is lost silently. Thread safe.
 */
final class PtyInput {

    private static final Logger log = LoggerFactory.getLogger(PtyInput.class);

    private final String id;
    private final OutputStream pty;
    private final Executor pool;
    private final long maxPending;
    private final Queue<byte[]> queue = new ArrayDeque<>();
    private long pending;
    private boolean draining;

    PtyInput(String id, OutputStream pty, Executor pool, long maxPending) {
        this.id = id;
        this.pty = pty;
        this.pool = pool;
        this.maxPending = maxPending;
    }

    /** Queues {@code bytes} for the terminal; returns at once. */
    void write(byte[] bytes) {
        synchronized (this) {
            if (pending + bytes.length > maxPending) {
                var data = HubException.reasonData("input_backlog");
                data.put("id", id);
                data.put("pending", pending);
                data.put("limit", maxPending);
                throw HubException.withData(
                        ErrorCode.OVERLOADED,
                        "terminal " + id + " is not reading its input: " + pending + " bytes wait already, and "
                                + bytes.length + " more would pass the limit (" + maxPending + ")",
                        data);
            }
            queue.add(bytes);
            pending += bytes.length;
            if (draining) {
                return;
            }
            draining = true;
        }
        pool.execute(this::drain);
    }

    private void drain() {
        while (true) {
            byte[] next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            try {
                pty.write(next);
                pty.flush();
            } catch (IOException e) {
                log.debug("terminal {}: input not written: {}", id, e.toString());
            } finally {
                synchronized (this) {
                    pending -= next.length;
                }
            }
        }
    }
}
