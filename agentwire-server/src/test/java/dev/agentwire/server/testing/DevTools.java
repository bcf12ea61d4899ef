package dev.agentwire.server.testing;

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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium ({@link Chromium#PATH}) on a profile of its own, driven over the DevTools protocol: navigate,
 * evaluate JavaScript (promises awaited), set the viewport and the colour scheme, take screenshots. For tests
 * that work a page as a person would (click its buttons, fill its forms) and read what it shows. One caller at a
 * time; {@link #close} ends the browser and its children.
 */
public final class DevTools implements AutoCloseable {

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();

    private DevTools(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /** A browser on the empty profile {@code profile} (created if missing), showing a blank page. */
    public static DevTools start(Path profile) throws Exception {
        Files.createDirectories(profile);
        Process p = new ProcessBuilder(List.of(
                        Chromium.PATH.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--disable-dev-shm-usage",
                        "--hide-scrollbars",
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
            DevTools[] self = new DevTools[1];
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
            self[0] = new DevTools(p, ws);
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
    public JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        ObjectNode m = Json.mapper().createObjectNode().put("id", id).put("method", method);
        m.set("params", params);
        socket.sendText(m.toString(), true).get(10, TimeUnit.SECONDS);
        JsonNode answer = reply.get(60, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new AssertionError(method + " failed: " + answer.path("error"));
        }
        return answer.path("result");
    }

    public void navigate(String url) throws Exception {
        call("Page.navigate", Json.mapper().createObjectNode().put("url", url));
    }

    /**
     * The value of a JavaScript expression in the page (a promise is awaited), as text: "" when it is undefined
     * or null, JSON when it is an object. An exception thrown in the page is an {@link AssertionError}.
     */
    public String evaluate(String expression) throws Exception {
        JsonNode r = call(
                "Runtime.evaluate",
                Json.mapper()
                        .createObjectNode()
                        .put("expression", expression)
                        .put("returnByValue", true)
                        .put("awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("the page threw on " + expression + ": " + r.path("exceptionDetails"));
        }
        JsonNode value = r.path("result").path("value");
        if (value.isMissingNode() || value.isNull()) {
            return "";
        }
        return value.isContainerNode() ? value.toString() : value.asText();
    }

    /** Waits until {@code expression} is true in the page. */
    public void until(String expression, Duration atMost) {
        await().atMost(atMost)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> evaluate("Boolean(" + expression + ")").equals("true"));
    }

    /** Presses a key as a keyboard does ({@code Tab}, {@code Enter}), with Shift if {@code shift}. */
    public void press(String key, int keyCode, boolean shift) throws Exception {
        for (String type : new String[] {"rawKeyDown", "keyUp"}) {
            ObjectNode params = Json.mapper()
                    .createObjectNode()
                    .put("type", type)
                    .put("key", key)
                    .put("code", key)
                    .put("windowsVirtualKeyCode", keyCode)
                    .put("modifiers", shift ? 8 : 0);
            call("Input.dispatchKeyEvent", params);
        }
    }

    /** Makes the page {@code width}×{@code height} CSS pixels, a phone's ({@code mobile}) or a desktop's. */
    public void viewport(int width, int height, boolean mobile) throws Exception {
        call(
                "Emulation.setDeviceMetricsOverride",
                Json.mapper()
                        .createObjectNode()
                        .put("width", width)
                        .put("height", height)
                        .put("deviceScaleFactor", 1)
                        .put("mobile", mobile));
    }

    /** Emulates {@code prefers-color-scheme: scheme} ({@code light} or {@code dark}). */
    public void colorScheme(String scheme) throws Exception {
        ObjectNode params = Json.mapper().createObjectNode();
        params.putArray("features")
                .addObject()
                .put("name", "prefers-color-scheme")
                .put("value", scheme);
        call("Emulation.setEmulatedMedia", params);
    }

    /** A PNG of the page as it shows now, written to {@code file} (directories made); its size in bytes. */
    public long screenshot(Path file) throws Exception {
        return write(
                file,
                call("Page.captureScreenshot", Json.mapper().createObjectNode().put("format", "png")));
    }

    /** A PNG of the whole page, below the fold too, written to {@code file}; its size in bytes. */
    public long fullScreenshot(Path file) throws Exception {
        JsonNode size =
                call("Page.getLayoutMetrics", Json.mapper().createObjectNode()).path("cssContentSize");
        ObjectNode params =
                Json.mapper().createObjectNode().put("format", "png").put("captureBeyondViewport", true);
        params.putObject("clip")
                .put("x", 0)
                .put("y", 0)
                .put("width", size.path("width").asDouble())
                .put("height", size.path("height").asDouble())
                .put("scale", 1);
        return write(file, call("Page.captureScreenshot", params));
    }

    private static long write(Path file, JsonNode r) throws IOException {
        byte[] png = Base64.getDecoder().decode(r.path("data").asText());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, png);
        return png.length;
    }

    @Override
    public void close() throws InterruptedException {
        socket.abort();
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroy);
    }
}
