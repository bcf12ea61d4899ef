package dev.agentwire.server.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.TestHubs;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * client.js itself, run by Node (20+, with its WebSocket) against the real hub: it provides a tool with
 * progress, and after the hub restarts it reconnects with backoff and registers the tool again.
 */
class ClientJsTest {

    private static final String SCRIPT = String.join(
            "\n",
            "require(process.argv[2]);",
            "const { connect } = globalThis.agentwire;",
            "(async () => {",
            "  const hub = await connect({ url: process.argv[3], token: process.argv[4], name: 'node',",
            "                              backoff: { initialMs: 100, maxMs: 400 } });",
            "  hub.on('reconnected', () => console.log('reconnected'));",
            "  await hub.registerTool({ name: 'node.add', description: 'adds', inputSchema: { type: 'object',",
            "      properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },",
            "    async ({ a, b }, ctx) => { ctx.progress(1, 1, 'adding'); return { sum: a + b }; });",
            "  console.log('ready');",
            "})().catch((e) => { console.log('failed: ' + e.message); process.exit(1); });",
            "process.stdin.on('end', () => process.exit(0));",
            "process.stdin.resume();");

    private static final String WATCHER = String.join(
            "\n",
            "require(process.argv[2]);",
            "const { connect } = globalThis.agentwire;",
            "(async () => {",
            "  const hub = await connect({ url: process.argv[3], token: process.argv[4], name: 'watcher',",
            "                              idlePingMs: 1000, connectTimeoutMs: 2000,",
            "                              backoff: { initialMs: 100, maxMs: 400 } });",
            "  hub.on('disconnected', (e) => console.log('disconnected ' + e.reason));",
            "  hub.on('reconnected', async () => {",
            "    console.log('reconnected');",
            "    console.log('pong ' + (await hub.request('hub/ping')).pong);",
            "  });",
            "  console.log('ready');",
            "})().catch((e) => { console.log('failed: ' + e.message); process.exit(1); });",
            "process.stdin.on('end', () => process.exit(0));",
            "process.stdin.resume();");

    /** The node command that has a global WebSocket, if any. */
    private static List<String> node() throws Exception {
        for (List<String> cmd : List.of(List.of("node"), List.of("node", "--experimental-websocket"))) {
            List<String> probe = new ArrayList<>(cmd);
            probe.addAll(List.of("-e", "process.exit(typeof WebSocket === 'function' ? 0 : 3)"));
            try {
                Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return cmd;
                }
            } catch (java.io.IOException e) {
                return List.of();
            }
        }
        return List.of();
    }

    @Test
    void providesAToolAndComesBackAfterTheHubRestarts() throws Exception {
        List<String> node = node();
        assumeTrue(!node.isEmpty(), "needs node 20+ with a WebSocket (the machine image has node 20)");
        Path dir = TestHubs.shortTempDir();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String portText = Integer.toString(port);
        AgentwireHub first = TestHubs.start(dir, b -> b.set("clientPort", portText));
        Path clientJs = dir.resolve("client.js");
        try (InputStream in = AgentwireHub.class.getResourceAsStream("/web/client.js")) {
            Files.write(clientJs, in.readAllBytes());
        }
        Path script = dir.resolve("provider.js");
        Files.writeString(script, SCRIPT);
        List<String> cmd = new ArrayList<>(node);
        cmd.addAll(List.of(script.toString(), clientJs.toString(), "ws://127.0.0.1:" + port + "/ws", first.token()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        AgentwireHub second = null;
        try {
            assertThat(lines.poll(30, TimeUnit.SECONDS)).isEqualTo("ready");
            try (AgentwireClient agent = AgentwireClient.builder()
                    .endpoint(first.endpoint())
                    .reconnect(false)
                    .connect()) {
                List<JsonNode> progress = new CopyOnWriteArrayList<>();
                JsonNode r = agent.tools()
                        .call(
                                "node.add",
                                Json.mapper().readTree("{\"a\":2,\"b\":40}"),
                                Duration.ofSeconds(10),
                                progress::add)
                        .get(20, TimeUnit.SECONDS);
                assertThat(r.path("structuredContent").path("sum").asInt()).isEqualTo(42);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> progress.size() == 1);
                assertThat(progress.get(0).path("message").asText()).isEqualTo("adding");
            }
            first.close();
            second = TestHubs.start(dir, b -> b.set("clientPort", portText));
            assertThat(lines.poll(30, TimeUnit.SECONDS))
                    .as("client.js reconnects with backoff")
                    .isEqualTo("reconnected");
            try (AgentwireClient agent = AgentwireClient.builder()
                    .endpoint(second.endpoint())
                    .reconnect(false)
                    .connect()) {
                JsonNode r = agent.tools()
                        .call("node.add", Json.mapper().readTree("{\"a\":1,\"b\":1}"))
                        .get(20, TimeUnit.SECONDS);
                assertThat(r.path("structuredContent").path("sum").asInt())
                        .as("the tool was registered again")
                        .isEqualTo(2);
            }
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    /**
     * A hub in another process frozen with {@code kill -STOP}: the socket stays open and nothing answers, so
     * only client.js's own pings can tell; it reports the loss, and reconnects once the hub runs again.
     */
    @Test
    void noticesAFrozenHubAndReconnectsWhenItResumes() throws Exception {
        List<String> node = node();
        assumeTrue(!node.isEmpty(), "needs node 20+ with a WebSocket (the machine image has node 20)");
        Path dir = TestHubs.shortTempDir();
        try (ChildHub hub = ChildHub.start(dir.resolve("home"))) {
            hub.warmUp();
            Path clientJs = dir.resolve("client.js");
            try (InputStream in = AgentwireHub.class.getResourceAsStream("/web/client.js")) {
                Files.write(clientJs, in.readAllBytes());
            }
            Path script = dir.resolve("watcher.js");
            Files.writeString(script, WATCHER);
            List<String> cmd = new ArrayList<>(node);
            cmd.addAll(List.of(
                    script.toString(), clientJs.toString(), "ws://127.0.0.1:" + hub.port() + "/ws", hub.token()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BlockingQueue<String> lines = lines(p);
            try {
                assertThat(lines.poll(30, TimeUnit.SECONDS)).isEqualTo("ready");
                hub.stop();
                assertThat(lines.poll(30, TimeUnit.SECONDS))
                        .as("the first loss is found by the pings")
                        .startsWith("disconnected heartbeat_timeout")
                        .contains("2 hub/ping unanswered");
                hub.resume();
                String line;
                do {
                    line = lines.poll(30, TimeUnit.SECONDS);
                    assertThat(line)
                            .as("attempts while the hub is frozen fail, then one succeeds")
                            .isNotNull()
                            .matches("disconnected connect_timeout.*|reconnected");
                } while (!line.equals("reconnected"));
                assertThat(lines.poll(30, TimeUnit.SECONDS)).isEqualTo("pong true");
            } finally {
                p.getOutputStream().close();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
