package dev.agentwire.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A Node script from {@code src/test/resources/node/} driving a real third-party client, line by line: {@link #send}
 * a JSON command, {@link #await} what the script reports, each a JSON object with a {@code type}. The packages
 * come from npm through {@link NodePackages} (the test skips where node or npm is missing).
 */
public final class NodeDriver implements AutoCloseable {

    private final Process process;
    private final Writer stdin;
    private final List<JsonNode> seen = new CopyOnWriteArrayList<>();
    private final StringBuilder stderr = new StringBuilder();

    private NodeDriver(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts {@code script} with {@code packages} installed under {@code target/node/<dir>}. */
    public static NodeDriver start(String script, String dir, String... packages)
            throws IOException, InterruptedException {
        Path modules = NodePackages.install(dir, packages);
        Path file;
        try {
            file = Path.of(NodeDriver.class.getResource("/node/" + script).toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        ProcessBuilder pb = new ProcessBuilder("node", file.toString());
        pb.environment().put("NODE_PATH", modules.toString());
        NodeDriver d = new NodeDriver(pb.start());
        d.read(d.process.getInputStream(), line -> {
            try {
                d.seen.add(Json.mapper().readTree(line));
            } catch (IOException e) {
                d.seen.add(
                        Json.mapper().createObjectNode().put("type", "unparsed").put("line", line));
            }
        });
        d.read(d.process.getErrorStream(), line -> {
            synchronized (d.stderr) {
                d.stderr.append(line).append('\n');
            }
        });
        d.await(j -> j.path("type").asText().equals("ready"), Duration.ofSeconds(30));
        return d;
    }

    private void read(InputStream in, Consumer<String> lines) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            lines.accept(line);
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                "node-driver");
        t.setDaemon(true);
        t.start();
    }

    /** A command with {@code op}. */
    public static ObjectNode op(String op) {
        return Json.mapper().createObjectNode().put("op", op);
    }

    /** Sends one command. */
    public void send(ObjectNode command) throws IOException {
        stdin.write(command.toString() + "\n");
        stdin.flush();
    }

    /** The first report (from the start) that matches, waiting up to {@code timeout}. */
    public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        try {
            return org.awaitility.Awaitility.await()
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> seen.stream().filter(match).findFirst(), java.util.Optional::isPresent)
                    .orElseThrow();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String err;
            synchronized (stderr) {
                err = stderr.toString();
            }
            throw new AssertionError("the Node client did not report what the test waited for within " + timeout
                    + "; it reported " + seen + (err.isEmpty() ? "" : "; stderr: " + err));
        }
    }

    /** Everything reported so far. */
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
