package dev.agentwire.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A real {@code socket.io-client} (from npm, under Node) driven line by line: {@link #send} a command
 * ({@code connect}, {@code emit}, {@code drop}, {@code disconnect}), and {@link #await} what the socket saw
 * (connects, connect errors, events, acks), each a JSON object with a {@code type}. The driver is
 * {@code src/test/resources/node/socketio-driver.cjs}.
 */
public final class NodeSocketIoClient implements AutoCloseable {

    public static final String PACKAGE = "socket.io-client@4.8.4";

    private final NodeDriver driver;

    private NodeSocketIoClient(NodeDriver driver) {
        this.driver = driver;
    }

    /** Starts the driver, with socket.io-client installed (the test skips where node or npm is missing). */
    public static NodeSocketIoClient start() throws IOException, InterruptedException {
        return new NodeSocketIoClient(NodeDriver.start("socketio-driver.cjs", "socketio", PACKAGE));
    }

    /** Sends one command. */
    public void send(ObjectNode command) throws IOException {
        driver.send(command);
    }

    /** A command with {@code op}. */
    public static ObjectNode op(String op) {
        return NodeDriver.op(op);
    }

    /** Connects to {@code url} with {@code auth} over {@code transports}. */
    public void connect(String url, JsonNode auth, String... transports) throws IOException {
        ObjectNode c = op("connect").put("url", url);
        c.set("auth", auth);
        if (transports.length > 0) {
            var t = c.putArray("transports");
            for (String s : transports) {
                t.add(s);
            }
        }
        send(c);
    }

    /** Emits {@code event} with {@code arg}; with an ack, the answer arrives as {@code {type: ack, tag}}. */
    public void emit(String event, JsonNode arg, String ackTag) throws IOException {
        ObjectNode c = op("emit").put("event", event);
        c.putArray("args").add(arg);
        if (ackTag != null) {
            c.put("ack", true).put("tag", ackTag);
        }
        send(c);
    }

    /** The first line seen (from the start) that matches, waiting up to {@code timeout}. */
    public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        return driver.await(match, timeout);
    }

    /** The first event named {@code name} whose first argument matches. */
    public JsonNode awaitEvent(String name, Predicate<JsonNode> firstArg) {
        return await(
                j -> j.path("type").asText().equals("event")
                        && j.path("event").asText().equals(name)
                        && firstArg.test(j.path("args").path(0)),
                Duration.ofSeconds(20));
    }

    /** The ack tagged {@code tag}. */
    public JsonNode awaitAck(String tag) {
        return await(
                j -> j.path("type").asText().equals("ack")
                        && j.path("tag").asText().equals(tag),
                Duration.ofSeconds(20));
    }

    /** Everything seen so far. */
    public List<JsonNode> seen() {
        return driver.seen();
    }

    @Override
    public void close() {
        driver.close();
    }
}
