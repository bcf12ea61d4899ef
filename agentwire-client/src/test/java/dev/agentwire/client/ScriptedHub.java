package dev.agentwire.client;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hub played by the test on a real Unix socket: it accepts connections one at a time, and the test reads
 * what the client sends (each line, with a deadline) and writes what the hub answers. Not thread safe.
 */
final class ScriptedHub implements AutoCloseable {

    private static final String EOF = "\0eof";

    private final Path path;
    private final ServerSocketChannel server;
    private SocketChannel peer;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    ScriptedHub(Path path) throws IOException {
        this.path = path;
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
    }

    String endpoint() {
        return "unix:" + path;
    }

    /** Accepts the next connection (the client's connect has already completed in the kernel's backlog). */
    ScriptedHub accept() throws IOException {
        peer = server.accept();
        lines.clear();
        SocketChannel ch = peer;
        Thread reader = new Thread(() -> readLoop(ch), "scripted-hub-reader");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    private void readLoop(SocketChannel ch) {
        StringBuilder line = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (ch.read(buf.clear()) >= 0) {
                buf.flip();
                for (char c : StandardCharsets.UTF_8.decode(buf).toString().toCharArray()) {
                    if (c == '\n') {
                        lines.add(line.toString());
                        line.setLength(0);
                    } else {
                        line.append(c);
                    }
                }
            }
        } catch (IOException e) {
            // closed
        }
        lines.add(EOF);
    }

    /** The next message the client sent. */
    JsonNode read(Duration timeout) throws Exception {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null || line.equals(EOF)) {
            fail(line == null ? "the client sent nothing within " + timeout : "the client closed the connection");
        }
        return Json.mapper().readTree(line);
    }

    /** Waits until the client closes the connection, failing on anything it sends first. */
    void assertClosedByClient(Duration timeout) throws Exception {
        String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null || !line.equals(EOF)) {
            fail(line == null ? "the client did not close within " + timeout : "expected a close, got " + line);
        }
    }

    void send(String json) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            peer.write(b);
        }
    }

    /** Reads the client's {@code hub/hello} and answers it. */
    void answerHello(Duration timeout) throws Exception {
        JsonNode hello = read(timeout);
        if (!hello.path("method").asText().equals("hub/hello")) {
            fail("expected hub/hello first, got " + hello);
        }
        reply(hello, "{\"hub\":\"scripted\",\"authenticated\":true}");
    }

    void reply(JsonNode request, String resultJson) throws IOException {
        send("{\"jsonrpc\":\"2.0\",\"id\":" + request.path("id") + ",\"result\":" + resultJson + "}");
    }

    @Override
    public void close() throws IOException {
        if (peer != null) {
            peer.close();
        }
        server.close();
        Files.deleteIfExists(path);
    }
}
