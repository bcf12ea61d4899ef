package dev.agentwire.server.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The hub's own {@code client.js} in Node, driven by {@code src/test/resources/node/clientjs-driver.cjs}: {@link
 * #call} one of its operations and get the answer, {@link #events} what it reported. Node needs a global
 * WebSocket (node 22, or node 20 with {@code --experimental-websocket}); {@link #nodeCommand()} is empty where
 * there is none, and the test skips.
 */
public final class ClientJsDriver implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final Writer stdin;
    private final List<JsonNode> lines = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    private ClientJsDriver(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** The node command that has a global WebSocket, or empty. */
    public static List<String> nodeCommand() throws InterruptedException {
        for (List<String> cmd : List.of(List.of("node"), List.of("node", "--experimental-websocket"))) {
            List<String> probe = new ArrayList<>(cmd);
            probe.addAll(List.of("-e", "process.exit(typeof WebSocket === 'function' ? 0 : 3)"));
            try {
                Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return cmd;
                }
            } catch (IOException e) {
                return List.of();
            }
        }
        return List.of();
    }

    /** Starts the driver with the hub's client.js copied into {@code dir}. */
    public static ClientJsDriver start(List<String> node, Path dir) throws IOException {
        Path clientJs = dir.resolve("client.js");
        try (InputStream in = AgentwireHub.class.getResourceAsStream("/web/client.js")) {
            Files.write(clientJs, in.readAllBytes());
        }
        Path script;
        try {
            script = Path.of(ClientJsDriver.class
                    .getResource("/node/clientjs-driver.cjs")
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<String> cmd = new ArrayList<>(node);
        cmd.addAll(List.of(script.toString(), clientJs.toString()));
        ClientJsDriver d = new ClientJsDriver(new ProcessBuilder(cmd)
                .redirectError(dir.resolve("node-stderr.log").toFile())
                .start());
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(d.process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            d.lines.add(Json.mapper().readTree(line));
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                "clientjs-driver");
        reader.setDaemon(true);
        reader.start();
        return d;
    }

    /** Runs {@code op} with {@code args}; its answer line ({@code ok} and {@code value} or {@code error}). */
    public JsonNode call(String op, ObjectNode args) throws IOException {
        int id = ids.incrementAndGet();
        ObjectNode c = Json.mapper().createObjectNode().put("id", id).put("op", op);
        c.set("args", args);
        synchronized (stdin) {
            stdin.write(c + "\n");
            stdin.flush();
        }
        JsonNode[] answer = new JsonNode[1];
        await().atMost(WAIT).until(() -> {
            for (JsonNode l : lines) {
                if (l.path("id").asInt() == id) {
                    answer[0] = l;
                    return true;
                }
            }
            return false;
        });
        return answer[0];
    }

    /** {@link #call}, which must succeed: its value. */
    public JsonNode ok(String op, ObjectNode args) throws IOException {
        JsonNode a = call(op, args);
        if (!a.path("ok").asBoolean()) {
            throw new AssertionError(op + " " + args + " failed in client.js: " + a.path("error"));
        }
        return a.path("value");
    }

    /** The data of every event named {@code name} so far. */
    public List<JsonNode> events(String name) {
        return lines.stream()
                .filter(l -> l.path("event").asText().equals(name))
                .map(l -> l.path("data"))
                .toList();
    }

    /** Waits until the events named {@code name} satisfy {@code until}, and returns them. */
    public List<JsonNode> waitFor(String name, Predicate<List<JsonNode>> until) {
        await().atMost(WAIT).until(() -> until.test(events(name)));
        return events(name);
    }

    public static ObjectNode args() {
        return Json.mapper().createObjectNode();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stdin.close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
