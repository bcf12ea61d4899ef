package dev.agentwire.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A real {@code socket.io-client} (from npm, under Node) driven line by line: {@link #send} a command
 * ({@code connect}, {@code emit}, {@code drop}, {@code disconnect}), and {@link #await} what the socket saw
 * (connects, connect errors, events, acks), each a JSON object with a {@code type}. The driver is
 * {@code src/test/resources/node/socketio-driver.cjs}.
 */
public final class NodeSocketIoClient implements AutoCloseable {

    public static final String PACKAGE = "socket.io-client@4.8.4";

    private final Process process;
    private final Writer stdin;
    private final List<JsonNode> seen = new CopyOnWriteArrayList<>();
    private final StringBuilder stderr = new StringBuilder();

    private NodeSocketIoClient(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts the driver, with socket.io-client installed (the test skips where node or npm is missing). */
    public static NodeSocketIoClient start() throws IOException, InterruptedException {
        Path modules = NodePackages.install("socketio", PACKAGE);
        Path driver;
        try {
            driver = Path.of(NodeSocketIoClient.class
                    .getResource("/node/socketio-driver.cjs")
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        ProcessBuilder pb = new ProcessBuilder("node", driver.toString());
        pb.environment().put("NODE_PATH", modules.toString());
        NodeSocketIoClient c = new NodeSocketIoClient(pb.start());
        c.readAll();
        c.await(j -> j.path("type").asText().equals("ready"), Duration.ofSeconds(30));
        return c;
    }

    private void readAll() {
        Thread out = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            seen.add(Json.mapper().readTree(line));
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                "socketio-driver-out");
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            synchronized (stderr) {
                                stderr.append(line).append('\n');
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                "socketio-driver-err");
        err.setDaemon(true);
        err.start();
    }

    /** Sends one command. */
    public void send(ObjectNode command) throws IOException {
        stdin.write(command.toString() + "\n");
        stdin.flush();
    }

    /** A command with {@code op}. */
    public static ObjectNode op(String op) {
        return Json.mapper().createObjectNode().put("op", op);
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
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (JsonNode j : seen) {
                if (match.test(j)) {
                    return j;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("socket.io-client did not report what the test waited for within " + timeout
                + "; it reported " + seen + (stderr.length() > 0 ? "; stderr: " + stderr : ""));
    }

    /** The first line of {@code type} (and, for events, named {@code name}) matching. */
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
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        try {
            send(op("exit"));
        } catch (IOException e) {
            // already gone
        }
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
