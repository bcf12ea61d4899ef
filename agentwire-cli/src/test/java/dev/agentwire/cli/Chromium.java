package dev.agentwire.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium (Debian's {@code /usr/bin/chromium}, with the flags ENVIRONMENT.md gives) on a profile of
 * its own, driven over the DevTools protocol: navigate, evaluate, read cookies. For tests; one caller at a time.
 */
final class Chromium implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/chromium");

    private final Process process;
    private final WebSocket devTools;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();

    private Chromium(Process process, WebSocket devTools) {
        this.process = process;
        this.devTools = devTools;
    }

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** A browser on the empty profile {@code profile} (created if missing), showing a blank page. */
    static Chromium start(Path profile) throws Exception {
        Files.createDirectories(profile);
        Process p = new ProcessBuilder(List.of(
                        BINARY.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--disable-dev-shm-usage",
                        "--remote-debugging-port=0",
                        "--user-data-dir=" + profile,
                        "about:blank"))
                .redirectErrorStream(true)
                .redirectOutput(profile.resolveSibling(profile.getFileName() + "-chromium.log")
                        .toFile())
                .start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(portFile) && Files.size(portFile) > 0);
            String port = Files.readAllLines(portFile).get(0).trim();
            HttpClient http = HttpClient.newHttpClient();
            String[] page = new String[1];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode targets = Json.mapper()
                        .readTree(http.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body());
                for (JsonNode t : targets) {
                    if (t.path("type").asText().equals("page")) {
                        page[0] = t.path("webSocketDebuggerUrl").asText();
                    }
                }
                return page[0] != null;
            });
            Chromium[] self = new Chromium[1];
            WebSocket ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create(page[0]), new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                self[0].deliver(text.toString());
                                text.setLength(0);
                            }
                            webSocket.request(1);
                            return null;
                        }
                    })
                    .get(30, TimeUnit.SECONDS);
            self[0] = new Chromium(p, ws);
            return self[0];
        } catch (Exception | AssertionError e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private void deliver(String message) {
        try {
            JsonNode m = Json.mapper().readTree(message);
            CompletableFuture<JsonNode> reply =
                    m.has("id") ? replies.remove(m.path("id").asInt()) : null;
            if (reply != null) {
                reply.complete(m);
            }
        } catch (IOException e) {
            throw new IllegalStateException("DevTools sent something that is not JSON: " + message, e);
        }
    }

    /** Calls a DevTools method; its {@code result}, or an {@link AssertionError} with its error. */
    JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        ObjectNode m = Json.mapper().createObjectNode().put("id", id).put("method", method);
        m.set("params", params);
        devTools.sendText(m.toString(), true).get(10, TimeUnit.SECONDS);
        JsonNode answer = reply.get(30, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new AssertionError(method + " failed: " + answer.path("error"));
        }
        return answer.path("result");
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Json.mapper().createObjectNode().put("url", url));
    }

    /** The value of a JavaScript expression in the page, as text ("" when it is undefined or null). */
    String evaluate(String expression) throws Exception {
        JsonNode r = call(
                "Runtime.evaluate",
                Json.mapper().createObjectNode().put("expression", expression).put("returnByValue", true));
        JsonNode value = r.path("result").path("value");
        return value.isMissingNode() || value.isNull() ? "" : value.asText();
    }

    /** The cookies this browser would send to {@code url}, with their attributes. */
    JsonNode cookies(String url) throws Exception {
        ObjectNode params = Json.mapper().createObjectNode();
        params.putArray("urls").add(url);
        return call("Network.getCookies", params).path("cookies");
    }

    @Override
    public void close() throws InterruptedException {
        devTools.abort();
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroy);
    }
}
