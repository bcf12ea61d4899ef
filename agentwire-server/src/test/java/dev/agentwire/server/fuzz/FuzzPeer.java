package dev.agentwire.server.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One fuzz connection to the hub without threads: writes that never block on a peer that stops reading (what
 * arrives meanwhile is kept), and a read to the end of the stream with a deadline, so that a hub that neither
 * answers nor closes fails the try instead of hanging it. Not thread safe.
 */
final class FuzzPeer implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private boolean eof;

    private FuzzPeer(SocketChannel channel, SocketAddress address) throws IOException {
        this.channel = channel;
        channel.connect(address);
        channel.configureBlocking(false);
        this.selector = Selector.open();
    }

    static FuzzPeer unix(Path path) throws IOException {
        return new FuzzPeer(SocketChannel.open(StandardProtocolFamily.UNIX), UnixDomainSocketAddress.of(path));
    }

    static FuzzPeer tcp(int port) throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.socket().setTcpNoDelay(true);
        return new FuzzPeer(ch, new InetSocketAddress("127.0.0.1", port));
    }

    /** Writes all of {@code bytes}; false if the hub closed the connection first. */
    boolean send(byte[] bytes, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            try {
                if (channel.write(b) > 0) {
                    continue;
                }
            } catch (IOException e) {
                return false; // reset or broken pipe: the hub closed, which a later check judges
            }
            drain();
            if (eof) {
                return false;
            }
            if (!await(SelectionKey.OP_WRITE | SelectionKey.OP_READ, deadline)) {
                throw new AssertionError("the hub did not take " + b.remaining() + " more bytes within " + timeout);
            }
        }
        return true;
    }

    /** Stops sending, as {@code nc -N} does: the hub answers what it was asked and closes. */
    void shutdownOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            // already closed by the hub
        }
    }

    /** Waits until what the hub sent so far contains {@code marker}; false if it closed first. */
    boolean awaitBytes(byte[] marker, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!contains(received.toByteArray(), marker)) {
            drain();
            if (eof) {
                return contains(received.toByteArray(), marker);
            }
            if (!contains(received.toByteArray(), marker) && !await(SelectionKey.OP_READ, deadline)) {
                throw new AssertionError("the hub did not answer within " + timeout);
            }
        }
        return true;
    }

    private static boolean contains(byte[] b, byte[] what) {
        outer:
        for (int i = 0; i <= b.length - what.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Everything the hub sent until it closed; fails when it has not closed within {@code timeout}. */
    byte[] readToEnd(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            drain();
            if (!eof && !await(SelectionKey.OP_READ, deadline)) {
                throw new AssertionError("the hub neither answered nor closed within " + timeout + "; it sent "
                        + received.size() + " bytes");
            }
        }
        return received.toByteArray();
    }

    private void drain() throws IOException {
        while (!eof) {
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                n = -1; // connection reset: the hub closed
            }
            if (n < 0) {
                eof = true;
            } else if (n == 0) {
                return;
            } else {
                received.write(buffer.array(), 0, n);
            }
        }
    }

    private boolean await(int ops, long deadlineNanos) throws IOException {
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            return false;
        }
        SelectionKey key = channel.register(selector, ops);
        int ready = selector.select(left);
        selector.selectedKeys().clear();
        key.interestOps(0);
        return ready > 0 || System.nanoTime() < deadlineNanos;
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
