package dev.agentwire.server.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.FramingException;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.RpcError;
import dev.agentwire.protocol.Text;
import dev.agentwire.protocol.TypedFrameDecoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection to a forwarder's {@code ipc.sock} ({@link ForwarderIpc}): it is sent SessionInfo, the output kept
 * and every later output as StdoutData, and StatusUpdate when the process exits; it sends StdinData, ControlCmd
 * ({@code resize}, {@code reset-size}, {@code kill}, {@code update-title}, each answered with a StatusUpdate) and
 * Heartbeat (echoed). Anything else gets an Error frame and the connection goes on; a frame over {@link #MAX_FRAME}
 * gets an Error frame and a close: what the hub's own {@code ipc.sock} does.
 *
 * <p>Two threads: a reader, and a writer fed by a queue that holds at most {@link #MAX_QUEUED} bytes. A viewer that
 * does not read is never waited for: past that it is closed as a slow consumer, and the terminal goes on.
 */
final class IpcViewer {

    /** What a viewer drives: the forwarder's terminal. */
    interface Terminal {

        /** Sends {@code viewer} SessionInfo and the output kept, then every later output and the exit. */
        void attach(IpcViewer viewer);

        void detach(IpcViewer viewer);

        void type(byte[] bytes);

        /** The StatusUpdate after a ControlCmd; throws {@link HubException} for a bad size. */
        ObjectNode resize(int cols, int rows);

        ObjectNode resetSize();

        ObjectNode kill(int signal);

        ObjectNode title(String title);
    }

    /** The largest frame a viewer may send. */
    static final int MAX_FRAME = 1 << 20;

    /** Output queued for a viewer before it is closed as a slow consumer. */
    static final long MAX_QUEUED = 16L << 20;

    private static final byte[] CLOSE = new byte[0];

    private final SocketChannel channel;
    private final Terminal terminal;
    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean closed;

    IpcViewer(SocketChannel channel, Terminal terminal) {
        this.channel = channel;
        this.terminal = terminal;
    }

    /** Starts the viewer's reader and writer threads, and attaches it to the terminal. */
    void start() {
        Thread writer = new Thread(this::write, "aw-forwarder-ipc-out");
        writer.setDaemon(true);
        writer.start();
        terminal.attach(this);
        Thread reader = new Thread(this::read, "aw-forwarder-ipc-in");
        reader.setDaemon(true);
        reader.start();
    }

    void send(FrameType type, byte[] payload) {
        if (closed) {
            return;
        }
        byte[] bytes = FrameEncoding.typed(type.code(), payload);
        if (queued.addAndGet(bytes.length) > MAX_QUEUED) {
            System.err.println("forwarder: ipc.sock: a viewer read nothing while " + MAX_QUEUED
                    + " bytes waited for it; closed as a slow consumer");
            close();
            return;
        }
        queue.add(bytes);
    }

    void send(FrameType type, JsonNode json) {
        send(type, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The process ended: a StatusUpdate, then the close. */
    void exited(int code) {
        send(
                FrameType.STATUS_UPDATE,
                Json.mapper().createObjectNode().put("status", "exited").put("exitCode", code));
        queue.add(CLOSE);
    }

    private void write() {
        try {
            while (true) {
                byte[] bytes = queue.take();
                if (bytes == CLOSE) {
                    break;
                }
                queued.addAndGet(-bytes.length);
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            }
        } catch (IOException e) {
            // the viewer went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
                decoder.decode(in, frames::add);
                in.compact();
                for (Frame f : frames) {
                    handle(f);
                }
                frames.clear();
            }
        } catch (FramingException e) {
            send(FrameType.ERROR, error(e.error()));
            queue.add(CLOSE);
            return;
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
            FrameType kind = frame.kind().orElseThrow(() -> refused(frame, "unknown"));
            switch (kind) {
                case STDIN_DATA -> terminal.type(frame.payload());
                case CONTROL_CMD -> send(FrameType.STATUS_UPDATE, control(frame.payload()));
                case HEARTBEAT -> send(FrameType.HEARTBEAT, frame.payload());
                default -> throw refused(frame, kind.name());
            }
        } catch (HubException e) {
            send(FrameType.ERROR, error(e.toRpcError()));
        }
    }

    private ObjectNode control(byte[] payload) {
        JsonNode cmd;
        try {
            cmd = Json.mapper().readTree(payload);
        } catch (IOException e) {
            throw HubException.of(
                    ErrorCode.PARSE_ERROR,
                    "malformed_json",
                    "ControlCmd is not JSON: " + Text.firstLine(e.getMessage()));
        }
        if (cmd == null || !cmd.isObject() || !cmd.path("cmd").isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "ControlCmd must be {\"cmd\": \"resize\"|\"kill\"|\"update-title\"|\"reset-size\", ...}");
        }
        return switch (cmd.path("cmd").textValue()) {
            case "resize" ->
                terminal.resize(cmd.path("cols").asInt(0), cmd.path("rows").asInt(0));
            case "reset-size" -> terminal.resetSize();
            case "kill" -> terminal.kill(cmd.path("signal").asInt(15));
            case "update-title" -> terminal.title(cmd.path("title").asText(""));
            default ->
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "unknown_command",
                        "unknown ControlCmd " + cmd.path("cmd").textValue()
                                + "; known: resize, kill, update-title, reset-size");
        };
    }

    private static HubException refused(Frame frame, String name) {
        return HubException.of(
                ErrorCode.INVALID_REQUEST,
                "unsupported_frame",
                String.format(
                        "frame type 0x%02X (%s) is not accepted on ipc.sock; send StdinData (0x01), ControlCmd (0x02)"
                                + " or Heartbeat (0x07)",
                        frame.type(), name));
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

    /** Closes the connection (both threads end) and detaches the viewer. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
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
