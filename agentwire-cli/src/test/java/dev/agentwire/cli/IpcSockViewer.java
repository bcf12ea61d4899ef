package dev.agentwire.cli;

import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.TypedFrameDecoder;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/** A raw client of a terminal's {@code ipc.sock}: typed frames written and read by hand, for tests. */
final class IpcSockViewer implements AutoCloseable {

    private final SocketChannel channel;
    private final TypedFrameDecoder decoder = new TypedFrameDecoder(16 << 20);
    private final ByteBuffer in = ByteBuffer.allocate(1 << 20);
    private final Deque<Frame> frames = new ArrayDeque<>();
    /** Every StdoutData byte read so far, as text. */
    private final StringBuilder stdout = new StringBuilder();

    private IpcSockViewer(SocketChannel channel) {
        this.channel = channel;
        in.flip();
    }

    static IpcSockViewer connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new IpcSockViewer(ch);
    }

    /** Reads what has come, waiting at most {@code timeout} for something: a test fails rather than hangs. */
    private int readWithin(java.time.Duration timeout) throws IOException {
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            channel.configureBlocking(false);
            channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
            if (selector.select(timeout.toMillis()) == 0) {
                throw new AssertionError("nothing came on ipc.sock within " + timeout);
            }
            return channel.read(in);
        }
    }

    void send(int type, String payload) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(FrameEncoding.typed(type, payload.getBytes(StandardCharsets.UTF_8)));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** The next frame, or null at the end of the stream. */
    Frame next() throws IOException {
        while (frames.isEmpty()) {
            in.compact();
            int n = readWithin(Duration.ofSeconds(60));
            in.flip();
            if (n < 0) {
                return null;
            }
            decoder.decode(in, frames::add);
        }
        Frame f = frames.poll();
        if (f.type() == 0x04) {
            stdout.append(new String(f.payload(), StandardCharsets.UTF_8));
        }
        return f;
    }

    /** Reads until a frame of {@code type} whose text contains {@code text} (for StdoutData: all output so far). */
    String until(int type, String text) throws IOException {
        while (true) {
            Frame f = next();
            if (f == null) {
                throw new IOException("ipc.sock closed before a frame of type " + type + " with " + text
                        + "; output so far: " + stdout);
            }
            if (f.type() == type) {
                String payload = type == 0x04 ? stdout.toString() : new String(f.payload(), StandardCharsets.UTF_8);
                if (payload.contains(text)) {
                    return payload;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
