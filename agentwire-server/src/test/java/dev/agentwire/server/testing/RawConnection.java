package dev.agentwire.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain socket to the hub for tests that need byte-level control: raw bytes out, bytes in through a reader
 * thread, so every read has a deadline. Not thread safe for writers.
 */
public final class RawConnection implements AutoCloseable {

    private static final byte[] EOF = new byte[0];

    private final SocketChannel channel;
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private volatile boolean eof;

    private RawConnection(SocketChannel channel) {
        this.channel = channel;
        Thread reader = new Thread(this::readLoop, "raw-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public static RawConnection unix(Path path) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(path));
        return new RawConnection(ch);
    }

    public static RawConnection tcp(int port) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.socket().setTcpNoDelay(true);
        return new RawConnection(ch);
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (true) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    break;
                }
                byte[] chunk = new byte[n];
                buf.flip();
                buf.get(chunk);
                chunks.add(chunk);
            }
        } catch (IOException e) {
            // closed
        }
        chunks.add(EOF);
    }

    public RawConnection send(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
        return this;
    }

    /** Sends {@code text} as UTF-8 followed by a newline. */
    public RawConnection sendLine(String text) throws IOException {
        return send((text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a JSON-RPC request line. */
    public RawConnection request(Object id, String method, String paramsJson) throws IOException {
        String idJson = id instanceof String s ? "\"" + s + "\"" : String.valueOf(id);
        return sendLine("{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"method\":\"" + method + "\""
                + (paramsJson == null ? "" : ",\"params\":" + paramsJson) + "}");
    }

    /** Stops sending (half-close), as {@code nc -N} does at the end of its input. */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** The next {@code n} bytes, waiting at most {@code timeout}. */
    public byte[] readBytes(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.size() < n) {
            if (!pull(deadline)) {
                fail("expected " + n + " bytes within " + timeout + ", got " + pending.size()
                        + (eof ? " and EOF" : ""));
            }
        }
        byte[] all = pending.toByteArray();
        pending.reset();
        pending.write(all, n, all.length - n);
        byte[] out = new byte[n];
        System.arraycopy(all, 0, out, 0, n);
        return out;
    }

    /** The next line (without its newline), waiting at most {@code timeout}. */
    public String readLine(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            byte[] all = pending.toByteArray();
            for (int i = 0; i < all.length; i++) {
                if (all[i] == '\n') {
                    pending.reset();
                    pending.write(all, i + 1, all.length - i - 1);
                    return new String(all, 0, i, StandardCharsets.UTF_8);
                }
            }
            if (!pull(deadline)) {
                fail("expected a line within " + timeout + (eof ? "; the hub closed the connection" : "") + "; have: "
                        + new String(all, StandardCharsets.UTF_8));
            }
        }
    }

    /** The next line parsed as JSON. */
    public JsonNode readJson(Duration timeout) throws InterruptedException, IOException {
        return Json.mapper().readTree(readLine(timeout));
    }

    public JsonNode readJson() throws InterruptedException, IOException {
        return readJson(Duration.ofSeconds(10));
    }

    /** Asserts the hub closes the connection within {@code timeout} (bytes before the close stay readable). */
    public void assertClosedWithin(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            if (!pull(deadline)) {
                fail("expected the hub to close the connection within " + timeout);
            }
        }
        assertThat(eof).isTrue();
    }

    /** Whether the hub has closed the connection (no waiting). */
    public boolean isClosedByPeer() {
        while (!chunks.isEmpty() && !eof) {
            byte[] c = chunks.poll();
            if (c == EOF) {
                eof = true;
            } else {
                pending.write(c, 0, c.length);
            }
        }
        return eof;
    }

    private boolean pull(long deadlineNanos) throws InterruptedException {
        if (eof) {
            return false;
        }
        long left = deadlineNanos - System.nanoTime();
        byte[] c = left <= 0 ? null : chunks.poll(left, TimeUnit.NANOSECONDS);
        if (c == null) {
            return false;
        }
        if (c == EOF) {
            eof = true;
            return true;
        }
        pending.write(c, 0, c.length);
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
