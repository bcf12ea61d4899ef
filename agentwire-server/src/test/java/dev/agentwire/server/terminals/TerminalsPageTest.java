package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@code /terminals} page in headless Chromium: it shows a session's output in xterm.js (served from the
 * jar), sends what is typed into it, and resizes. The page offers what it shows as tools, so the test reads
 * the browser's own terminal buffer; a screenshot lands in {@code target/terminals-page.png}.
 */
class TerminalsPageTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static List<String> chromiumArgs(Path profile) {
        return List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile);
    }

    private static List<String> lines(JsonNode screen) {
        List<String> out = new java.util.ArrayList<>();
        screen.path("structuredContent").path("lines").forEach(l -> out.add(l.asText()));
        return out;
    }

    @Test
    void thePageShowsASessionLiveAndTakesInputAndResize() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs Debian's chromium (CI installs it)");
        Path dir = TestHubs.shortTempDir();
        try (AgentwireHub hub = TestHubs.start(dir);
                AgentwireClient agent = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            JsonNode spawned = agent.request(
                            "terminals/spawn",
                            Json.mapper()
                                    .readTree("{\"command\":[\"bash\",\"--norc\",\"--noprofile\"],"
                                            + "\"env\":{\"PS1\":\"$ \"},\"cols\":80,\"rows\":20}"))
                    .get(30, TimeUnit.SECONDS);
            String id = spawned.path("id").asText();
            agent.request(
                            "terminals/wait",
                            Json.mapper().createObjectNode().put("id", id).put("pattern", "(?m)^\\$"))
                    .get(30, TimeUnit.SECONDS);
            agent.request(
                            "terminals/input",
                            Json.mapper().createObjectNode().put("id", id).put("text", "echo before-the-page\r"))
                    .get(10, TimeUnit.SECONDS);
            // Logged in as `aw open terminals` does it; the fragment survives the login's redirect.
            String url = agent.request(
                                    "auth/login-code",
                                    Json.mapper().createObjectNode().put("page", "terminals"))
                            .get(10, TimeUnit.SECONDS)
                            .path("url")
                            .asText()
                    + "#" + id;
            List<String> args = new java.util.ArrayList<>(chromiumArgs(dir.resolve("profile")));
            args.add("--remote-debugging-port=0");
            args.add("--window-size=1000,760");
            args.add(url);
            Process browser = new ProcessBuilder(args)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("chromium.log").toFile())
                    .start();
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> agent.tools()
                                .list(null)
                                .get(10, TimeUnit.SECONDS)
                                .path("tools")
                                .findValuesAsText("name")
                                .contains("terminalsPageScreen"));
                // The scrollback reached the page.
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> lines(agent.tools()
                                        .call("terminalsPageScreen", null)
                                        .get(10, TimeUnit.SECONDS))
                                .contains("before-the-page"));
                // Live output reaches it too.
                agent.request(
                                "terminals/input",
                                Json.mapper().createObjectNode().put("id", id).put("text", "echo live-output\r"))
                        .get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> lines(agent.tools()
                                        .call("terminalsPageScreen", null)
                                        .get(10, TimeUnit.SECONDS))
                                .contains("live-output"));
                // What is typed in the page reaches the shell.
                agent.tools()
                        .call(
                                "terminalsPageType",
                                Json.mapper().createObjectNode().put("text", "echo typed-in-the-browser\r"))
                        .get(10, TimeUnit.SECONDS);
                agent.request(
                                "terminals/wait",
                                Json.mapper()
                                        .createObjectNode()
                                        .put("id", id)
                                        .put("pattern", "(?m)^typed-in-the-browser"))
                        .get(30, TimeUnit.SECONDS);
                // Resize from the page.
                JsonNode resized = agent.tools()
                        .call(
                                "terminalsPageResize",
                                Json.mapper()
                                        .createObjectNode()
                                        .put("cols", 100)
                                        .put("rows", 30))
                        .get(10, TimeUnit.SECONDS);
                assertThat(resized.path("structuredContent").path("cols").asInt())
                        .isEqualTo(100);
                assertThat(agent.request("terminals/list")
                                .get(10, TimeUnit.SECONDS)
                                .path("terminals")
                                .get(0)
                                .path("cols")
                                .asInt())
                        .isEqualTo(100);
                // A screenshot of the page as it is now, for the test report (through the DevTools protocol).
                Path shot = Path.of("target", "terminals-page.png").toAbsolutePath();
                Files.write(shot, screenshot(dir.resolve("profile")));
                assertThat(Files.size(shot)).isGreaterThan(1000);
            } finally {
                browser.destroy();
                browser.waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** A PNG of the open page, taken with Page.captureScreenshot over the browser's DevTools WebSocket. */
    private static byte[] screenshot(Path profile) throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(portFile));
        String port = Files.readAllLines(portFile).get(0).trim();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        JsonNode targets = Json.mapper()
                .readTree(http.send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create("http://127.0.0.1:" + port + "/json"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body());
        String ws = null;
        for (JsonNode t : targets) {
            if (t.path("type").asText().equals("page")) {
                ws = t.path("webSocketDebuggerUrl").asText();
            }
        }
        assertThat(ws).as("a page target in %s", targets).isNotNull();
        java.util.concurrent.CompletableFuture<String> reply = new java.util.concurrent.CompletableFuture<>();
        StringBuilder text = new StringBuilder();
        java.net.http.WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(java.net.URI.create(ws), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(
                            java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            String message = text.toString();
                            text.setLength(0);
                            if (message.contains("\"id\":1,")) {
                                reply.complete(message);
                            }
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        socket.sendText("{\"id\":1,\"method\":\"Page.captureScreenshot\",\"params\":{\"format\":\"png\"}}", true);
        JsonNode result = Json.mapper().readTree(reply.get(30, TimeUnit.SECONDS));
        socket.abort();
        return java.util.Base64.getDecoder()
                .decode(result.path("result").path("data").asText());
    }
}
