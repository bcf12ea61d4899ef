package dev.agentwire.server.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The WebSocket at /ws with the JDK's own client: token and origin checks, a tool provider, typed frames. */
class WebSocketTest {

    private AgentwireHub hub;
    private int port;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("security.allowedOrigins", "http://trusted.test"));
        port = hub.tcpPort().getAsInt();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    /** A WebSocket peer that queues what it receives and sends one message at a time. */
    static final class Peer implements WebSocket.Listener {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            received.add(b);
            ws.request(1);
            return null;
        }

        synchronized void send(String json) {
            socket.sendText(json, true).join();
        }

        JsonNode next() throws Exception {
            Object o = received.poll(20, TimeUnit.SECONDS);
            assertThat(o).as("a message within 20 s").isInstanceOf(String.class);
            return Json.mapper().readTree((String) o);
        }

        /** The next message with an id (skipping notifications). */
        JsonNode nextWithId() throws Exception {
            JsonNode m = next();
            while (!m.has("id")) {
                m = next();
            }
            return m;
        }
    }

    private Peer open(String query, String origin) {
        Peer peer = new Peer();
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
        if (origin != null) {
            b.header("Origin", origin);
        }
        peer.socket = b.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + query), peer)
                .join();
        return peer;
    }

    private static int refusedStatus(Runnable attempt) {
        Throwable t = catchThrowable(attempt::run);
        Throwable cause = t instanceof CompletionException ? t.getCause() : t;
        assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
        HttpResponse<?> r = ((WebSocketHandshakeException) cause).getResponse();
        return r.statusCode();
    }

    @Test
    void aUdsAgentCallsAToolProvidedOverWebSocket() throws Exception {
        Peer provider = open("?token=" + hub.token(), null);
        provider.send(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/register\",\"params\":{\"tools\":[{\"name\":\"ws.upper\","
                        + "\"description\":\"upper-cases text\",\"inputSchema\":{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}}]}}");
        assertThat(provider.nextWithId()
                        .path("result")
                        .path("registered")
                        .get(0)
                        .asText())
                .isEqualTo("ws.upper");
        try (AgentwireClient agent = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            CompletableFuture<JsonNode> call = agent.tools()
                    .call("ws.upper", Json.mapper().createObjectNode().put("text", "hi"));
            JsonNode relayed = provider.nextWithId();
            assertThat(relayed.path("method").asText()).isEqualTo("tools/call");
            String text = relayed.path("params").path("arguments").path("text").asText();
            provider.send("{\"jsonrpc\":\"2.0\",\"id\":" + relayed.path("id") + ",\"result\":{\"text\":\""
                    + text.toUpperCase(java.util.Locale.ROOT) + "\"}}");
            assertThat(call.get(20, TimeUnit.SECONDS)
                            .path("structuredContent")
                            .path("text")
                            .asText())
                    .isEqualTo("HI");
            assertThat(hub.core().status().path("connections").path("websocket").asInt())
                    .isEqualTo(1);
        }
        provider.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    @Test
    void anOriginIsNeverASecret() throws Exception {
        for (String origin : List.of("http://127.0.0.1:" + port, "http://localhost:" + port, "http://trusted.test")) {
            assertThat(refusedStatus(() -> open("", origin)))
                    .as("%s without a token", origin)
                    .isEqualTo(401);
            Peer p = open("?token=" + hub.token(), origin);
            p.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}");
            assertThat(p.next().path("result").path("pong").asBoolean())
                    .as("%s with a token", origin)
                    .isTrue();
            p.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
    }

    @Test
    void aForeignOriginIsRefusedWith403AndNoSecretWith401() throws Exception {
        assertThat(refusedStatus(() -> open("", "http://evil.test"))).isEqualTo(403);
        assertThat(refusedStatus(() -> open("?token=" + hub.token(), "http://evil.test")))
                .as("a token does not make a foreign origin allowed")
                .isEqualTo(403);
        assertThat(refusedStatus(() -> open("", null)))
                .as("no origin, no token")
                .isEqualTo(401);
        assertThat(refusedStatus(() -> open("?token=wrong", null))).isEqualTo(401);
        assertThat(refusedStatus(() -> open("x?token=wrong", null)))
                .as("every /ws path is gated")
                .isEqualTo(401);
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ws"))
                                .header("Origin", "http://evil.test")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body())
                .contains("origin http://evil.test may not open a WebSocket")
                .contains("security.allowedOrigins");
        Peer withToken = open("?token=" + hub.token(), null);
        withToken.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}");
        assertThat(withToken.next().has("result"))
                .as("a token without an Origin: a program, not a page")
                .isTrue();
    }

    @Test
    void binaryMessagesAreTypedFrames() throws Exception {
        Peer p = open("?token=" + hub.token(), null);
        p.socket
                .sendBinary(ByteBuffer.wrap(new byte[] {0x07, 0, 0, 0, 0}), true)
                .join();
        Object echo = p.received.poll(20, TimeUnit.SECONDS);
        assertThat(echo).isInstanceOf(byte[].class);
        assertThat((byte[]) echo).containsExactly(0x07, 0, 0, 0, 0);
        byte[] json = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"hub/ping\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        p.socket
                .sendBinary(ByteBuffer.wrap(dev.agentwire.protocol.FrameEncoding.typed(0x10, json)), true)
                .join();
        assertThat(p.next().path("id").asInt())
                .as("a JsonRpc frame is answered as text")
                .isEqualTo(5);
    }

    @Test
    void theWebAssetsAreServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> js = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/client.js"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("content-type").orElse("")).startsWith("text/javascript");
        assertThat(js.body()).contains("registerTool").contains("global.agentwire");
        HttpResponse<String> page = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/demo/tools.html"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains("getPageContent").contains("/client.js");
    }
}
