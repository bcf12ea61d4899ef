package dev.agentwire.server.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.terminals.IpcFrames;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.FramingException;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.RpcError;
import dev.agentwire.protocol.TypedFrameDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection to a forwarder's {@code ipc.sock} ({@link ForwarderIpc}): it is sent SessionInfo, the output kept
 * and every later output as StdoutData, and StatusUpdate when the process exits; it sends StdinData, ControlCmd
 * ({@code resize}, {@code reset-size}, {@code kill}, {@code update-title}, each answered with a StatusUpdate) and
 * Heartbeat (echoed). Anything else gets an Error frame and the connection goes on; a frame over {@link #MAX_FRAME}
 * gets an Error frame (after the answers to the frames before it) and a close: what the hub's own {@code ipc.sock}
 * does.
 *
 * <p>Two threads: a reader, and a writer fed by a queue. A viewer that does not read is never waited for: the
 * viewers' queues together may hold what the terminal's {@link Budget} allows (a share of the forwarder's small
 * heap); the viewer whose frame would pass it is sent an Error frame ({@code slow_consumer}) after what was already
 * written to it, and closed, while the terminal and the other viewers go on.
 */
final class IpcViewer {

    /** The bytes all of a terminal's viewers may have queued together. Thread safe. */
    static final class Budget {
        private final long limit;
        private final AtomicLong used = new AtomicLong();

        Budget(long limit) {
            this.limit = limit;
        }

        /** Takes {@code bytes}, unless that would pass the limit. */
        boolean take(long bytes) {
            if (used.addAndGet(bytes) > limit) {
                used.addAndGet(-bytes);
                return false;
            }
            return true;
        }

        void give(long bytes) {
            used.addAndGet(-bytes);
        }

        long limit() {
            return limit;
        }
    }

    /** What a viewer drives: the forwarder's terminal. */
    interface Terminal extends IpcFrames.Controls {

        /** What its viewers may have queued together. */
        Budget budget();

        /** Sends {@code viewer} SessionInfo and the output kept, then every later output and the exit. */
        void attach(IpcViewer viewer);

        void detach(IpcViewer viewer);
    }

    /** The largest frame a viewer may send. */
    static final int MAX_FRAME = 1 << 20;

    /** A frame to write; {@code counted} if it was taken from the budget. */
    private record Out(byte[] bytes, boolean counted) {}

    private static final Out CLOSE = new Out(new byte[0], false);

    private final SocketChannel channel;
    private final Terminal terminal;
    private final Budget budget;
    private final LinkedBlockingQueue<Out> queue = new LinkedBlockingQueue<>();
    private final CountDownLatch written = new CountDownLatch(1);
    private volatile boolean closed;

    IpcViewer(SocketChannel channel, Terminal terminal) {
        this.channel = channel;
        this.terminal = terminal;
        this.budget = terminal.budget();
    }

    /** Attaches the viewer to the terminal (which queues what it is sent first), then starts its two threads. */
    void start() {
        terminal.attach(this);
        Thread writer = new Thread(this::write, "aw-forwarder-ipc-out");
        writer.setDaemon(true);
        writer.start();
        Thread reader = new Thread(this::read, "aw-forwarder-ipc-in");
        reader.setDaemon(true);
        reader.start();
    }

    boolean isClosed() {
        return closed;
    }

    void send(FrameType type, byte[] payload) {
        if (!closed) {
            sendEncoded(FrameEncoding.typed(type.code(), payload));
        }
    }

    void send(FrameType type, JsonNode json) {
        send(type, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Queues a frame's bytes (shared with the other viewers: never changed). */
    void sendEncoded(byte[] frame) {
        if (closed) {
            return;
        }
        if (!budget.take(frame.length)) {
            slowConsumer();
            return;
        }
        queue.add(new Out(frame, true));
    }

    /** Over the budget: its queued frames go, the Error frame follows what was written, then the close. */
    private void slowConsumer() {
        System.err.println("forwarder: ipc.sock: a viewer read too slowly (the viewers may have " + budget.limit()
                + " bytes queued); closed as a slow consumer");
        closed = true;
        terminal.detach(this);
        dropQueued();
        var data = HubException.reasonData("slow_consumer");
        data.put("limit", budget.limit());
        RpcError e = HubException.withData(
                        ErrorCode.OVERLOADED, "this viewer read too slowly; connect again to get the output kept", data)
                .toRpcError();
        queue.add(new Out(FrameEncoding.typed(FrameType.ERROR.code(), bytes(error(e))), false));
        queue.add(CLOSE);
    }

    /** Empties the queue, giving its frames' bytes back to the budget. */
    private void dropQueued() {
        Out out;
        while ((out = queue.poll()) != null) {
            if (out.counted()) {
                budget.give(out.bytes().length);
            }
        }
    }

    /** The process ended: a StatusUpdate, then the close. */
    void exited(int code) {
        send(
                FrameType.STATUS_UPDATE,
                Json.mapper().createObjectNode().put("status", "exited").put("exitCode", code));
        queue.add(CLOSE);
    }

    /** Waits at most {@code nanos} for the writer to have written what it was given and ended. */
    void awaitWritten(long nanos) {
        try {
            written.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write() {
        try {
            while (true) {
                Out out = queue.take();
                if (out == CLOSE) {
                    break;
                }
                if (out.counted()) {
                    budget.give(out.bytes().length);
                }
                ByteBuffer b = ByteBuffer.wrap(out.bytes());
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            }
        } catch (IOException e) {
            // the viewer went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dropQueued();
            written.countDown();
        }
        close();
    }

    private void read() {
        TypedFrameDecoder decoder = new TypedFrameDecoder(MAX_FRAME);
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        List<Frame> frames = new ArrayList<>();
        try {
            while (!closed) {
                if (!in.hasRemaining()) {
                    in = grown(in);
                }
                if (channel.read(in) < 0) {
                    break;
                }
                in.flip();
                FramingException broken = null;
                try {
                    decoder.decode(in, frames::add);
                } catch (FramingException e) {
                    broken = e;
                }
                in.compact();
                for (Frame f : frames) {
                    handle(f);
                }
                frames.clear();
                if (broken != null) {
                    send(FrameType.ERROR, error(broken.error()));
                    queue.add(CLOSE);
                    return;
                }
            }
        } catch (IOException e) {
            // closed
        }
        close();
    }

    /** A buffer that holds the frame being read (at most {@link #MAX_FRAME} and its header). */
    private static ByteBuffer grown(ByteBuffer in) {
        ByteBuffer bigger =
                ByteBuffer.allocate(Math.min(in.capacity() * 2, MAX_FRAME + TypedFrameDecoder.HEADER_BYTES));
        in.flip();
        return bigger.put(in);
    }

    private void handle(Frame frame) {
        try {
            IpcFrames.handle(frame, terminal).ifPresent(f -> sendEncoded(FrameEncoding.typed(f)));
        } catch (HubException e) {
            send(FrameType.ERROR, error(e.toRpcError()));
        } catch (RuntimeException e) {
            // The PTY refused (it ended meanwhile, say): the viewer hears it and goes on.
            send(
                    FrameType.ERROR,
                    error(HubException.of(ErrorCode.INTERNAL_ERROR, "internal_error", e.toString())
                            .toRpcError()));
        }
    }

    /** An Error frame's payload, as the hub writes it. */
    private static ObjectNode error(RpcError error) {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("code", error.code());
        json.put("message", error.message());
        if (!error.data().isMissingNode()) {
            json.set("data", error.data());
        }
        return json;
    }

    private static byte[] bytes(JsonNode json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Closes the connection (both threads end) and detaches the viewer. Idempotent. */
    void close() {
        closed = true;
        terminal.detach(this);
        queue.add(CLOSE);
        try {
            channel.close();
        } catch (IOException e) {
            // closing
        }
    }
}
