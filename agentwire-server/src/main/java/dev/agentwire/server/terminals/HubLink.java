package dev.agentwire.server.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A forwarder's connection to the hub's Unix socket: NDJSON JSON-RPC, written under one lock, read by one thread.
 * It answers the hub's {@code ping}, passes the hub's notifications to {@code onNotification}, and completes its own
 * requests with their answers. Made with {@link #open}; ends when the hub closes it or it is closed.
 */
final class HubLink implements AutoCloseable {

    private final SocketChannel channel;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private HubLink(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects to {@code socket}; the reader thread hands each notification to {@code onNotification}. */
    static HubLink open(Path socket, Consumer<JsonNode> onNotification) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        HubLink link = new HubLink(ch);
        Thread reader = new Thread(() -> link.read(onNotification), "aw-forwarder-read");
        reader.setDaemon(true);
        reader.start();
        return link;
    }

    /** Completes when the connection has ended. */
    CompletableFuture<Void> closed() {
        return closed;
    }

    /** Sends request {@code method(params)}; its answer's result, or a failure with its error. */
    CompletableFuture<JsonNode> request(String method, JsonNode params) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode m = Json.mapper()
                .createObjectNode()
                .put("jsonrpc", "2.0")
                .put("id", id)
                .put("method", method);
        m.set("params", params);
        try {
            write(m);
        } catch (IOException e) {
            pending.remove(id);
            answer.completeExceptionally(e);
        }
        return answer;
    }

    /** Sends notification {@code method(params)}. */
    void notify(String method, JsonNode params) throws IOException {
        ObjectNode m = Json.mapper().createObjectNode().put("jsonrpc", "2.0").put("method", method);
        m.set("params", params);
        write(m);
    }

    private void write(ObjectNode message) throws IOException {
        byte[] line = (Json.mapper().writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(line);
        synchronized (channel) {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }
    }

    private void read(Consumer<JsonNode> onNotification) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode m = Json.mapper().readTree(line);
                JsonNode id = m.get("id");
                if (m.has("method") && id != null && !id.isNull()) {
                    answer(m, id);
                } else if (m.has("method")) {
                    onNotification.accept(m);
                } else if (id != null && id.canConvertToLong()) {
                    CompletableFuture<JsonNode> f = pending.remove(id.asLong());
                    if (f != null && m.has("error")) {
                        f.completeExceptionally(
                                new IOException(m.path("error").path("message").asText("error")));
                    } else if (f != null) {
                        f.complete(m.get("result"));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the hub went away, or sent what is not JSON: this connection ends
        } finally {
            close();
        }
    }

    /** The hub's requests: its liveness {@code ping} is answered, anything else is not served here. */
    private void answer(JsonNode request, JsonNode id) throws IOException {
        ObjectNode reply = Json.mapper().createObjectNode().put("jsonrpc", "2.0");
        reply.set("id", id);
        if (request.path("method").asText().equals("ping")) {
            reply.putObject("result");
        } else {
            reply.putObject("error").put("code", -32601).put("message", "a terminal forwarder serves only ping");
        }
        write(reply);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closed already
        }
        IOException gone = new IOException("the hub connection closed");
        pending.values().forEach(f -> f.completeExceptionally(gone));
        pending.clear();
        closed.complete(null);
    }
}
