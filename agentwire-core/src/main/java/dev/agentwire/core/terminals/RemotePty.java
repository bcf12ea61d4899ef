package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * The PTY of a terminal that a forwarder ({@code aw run}) owns in the user's own terminal: its output arrives
 * as {@code terminals/forward-output} from the forwarder's connection, and what the hub's viewers type, resizes
 * and signals go back to the forwarder as notifications. It ends when the forwarder reports the exit or
 * disconnects.
 */
final class RemotePty implements Pty {

    private final String id;
    private final Connection forwarder;
    private final long pid;
    private final PipedOutputStream sink = new PipedOutputStream();
    private final PipedInputStream output;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile int exitCode = -1;

    RemotePty(String id, Connection forwarder, long pid) throws IOException {
        this.id = id;
        this.forwarder = forwarder;
        this.pid = pid;
        this.output = new PipedInputStream(sink, 1 << 20);
    }

    Connection forwarder() {
        return forwarder;
    }

    /** Output the forwarder sent. */
    void output(String text) {
        try {
            sink.write(text.getBytes(StandardCharsets.UTF_8));
            sink.flush();
        } catch (IOException e) {
            // the session is gone
        }
    }

    /** The process ended (the forwarder said so, or went away: then the code is -1). */
    void exited(int code) {
        if (ended.getCount() > 0) {
            exitCode = code;
            ended.countDown();
            try {
                sink.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    private void tell(String method, ObjectNode params) {
        params.put("id", id);
        forwarder.outbound().send(new Message.Notification(method, params));
    }

    @Override
    public InputStream output() {
        return output;
    }

    @Override
    public OutputStream input() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                tell(
                        "terminals/forward-input",
                        Json.mapper().createObjectNode().put("text", new String(b, off, len, StandardCharsets.UTF_8)));
            }
        };
    }

    @Override
    public void resize(int cols, int rows) {
        tell(
                "terminals/forward-resize",
                Json.mapper().createObjectNode().put("cols", cols).put("rows", rows));
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        return ended.getCount() > 0;
    }

    @Override
    public int waitFor() throws InterruptedException {
        ended.await();
        return exitCode;
    }

    @Override
    public void signal(int signal) {
        tell("terminals/forward-signal", Json.mapper().createObjectNode().put("signal", signal));
    }
}
