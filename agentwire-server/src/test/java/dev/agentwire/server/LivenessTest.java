package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Liveness on the TCP port (DESIGN.md §4): a peer silent for {@code limits.idlePingSeconds} (1 s here) is
 * pinged (JSON-RPC {@code ping} on a stream, a ping frame on a WebSocket) and closed with
 * {@code heartbeat_timeout} after two unanswered pings; a peer that answers stays; Unix-socket peers are never
 * pinged.
 */
class LivenessTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private AgentwireHub hub;
    private int port;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("limits.idlePingSeconds", "1"));
        port = hub.tcpPort().getAsInt();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private RawConnection helloOverNdjson() throws Exception {
        RawConnection c = RawConnection.tcp(port);
        JsonNode hello = c.request(1, "hub/hello", "{\"token\":\"" + hub.token() + "\",\"name\":\"idle\"}")
                .readJson();
        assertThat(hello.path("result").path("authenticated").asBoolean()).isTrue();
        return c;
    }

    @Test
    void anIdleNdjsonPeerThatAnswersPingsStaysConnected() throws Exception {
        try (RawConnection c = helloOverNdjson()) {
            for (int i = 0; i < 4; i++) {
                JsonNode ping = c.readJson(WAIT);
                assertThat(ping.path("method").asText())
                        .as("what a silent peer receives")
                        .isEqualTo("ping");
                assertThat(ping.has("id")).isTrue();
                c.sendLine("{\"jsonrpc\":\"2.0\",\"id\":" + ping.path("id") + ",\"result\":{}}");
            }
            // Four intervals of silence but for the answers: still served.
            JsonNode pong = c.request("after", "hub/ping", null).readJson(WAIT);
            assertThat(pong.path("id").asText()).isEqualTo("after");
            assertThat(pong.path("result").path("pong").asBoolean()).isTrue();
        }
    }

    @Test
    void anNdjsonPeerThatNeverAnswersIsClosedWithHeartbeatTimeoutAfterTwoPings() throws Exception {
        try (RawConnection c = helloOverNdjson()) {
            JsonNode first = c.readJson(WAIT);
            JsonNode second = c.readJson(WAIT);
            assertThat(first.path("method").asText()).isEqualTo("ping");
            assertThat(second.path("method").asText()).isEqualTo("ping");
            assertThat(second.path("id")).isNotEqualTo(first.path("id"));
            JsonNode closing = c.readJson(WAIT);
            assertThat(closing.path("id").isNull()).isTrue();
            assertThat(closing.path("error").path("code").asInt()).isEqualTo(-32001);
            assertThat(closing.path("error").path("data").path("reason").asText())
                    .isEqualTo("heartbeat_timeout");
            assertThat(closing.path("error").path("message").asText()).contains("2 pings");
            c.assertClosedWithin(WAIT);
        }
    }

    @Test
    void aTypedPeerIsPingedInJsonRpcFramesAndClosedWhenItNeverAnswers() throws Exception {
        try (RawConnection c = RawConnection.tcp(port)) {
            byte[] hello = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/hello\",\"params\":{\"token\":\""
                            + hub.token() + "\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            c.send(FrameEncoding.typed(0x10, hello));
            assertThat(typedJson(c).path("result").path("authenticated").asBoolean())
                    .isTrue();
            assertThat(typedJson(c).path("method").asText()).isEqualTo("ping");
            assertThat(typedJson(c).path("method").asText()).isEqualTo("ping");
            assertThat(typedJson(c).path("error").path("data").path("reason").asText())
                    .isEqualTo("heartbeat_timeout");
            c.assertClosedWithin(WAIT);
        }
    }

    private static JsonNode typedJson(RawConnection c) throws Exception {
        byte[] header = c.readBytes(5, WAIT);
        assertThat(header[0]).as("a JsonRpc frame").isEqualTo((byte) 0x10);
        return Json.mapper().readTree(c.readBytes(ByteBuffer.wrap(header, 1, 4).getInt(), WAIT));
    }

    @Test
    void aUnixSocketPeerIsNeverPinged() throws Exception {
        try (RawConnection unix = RawConnection.unix(hub.config().socketPath());
                RawConnection tcp = helloOverNdjson()) {
            assertThat(unix.request(1, "hub/hello", "{\"name\":\"quiet\"}")
                            .readJson()
                            .path("result")
                            .path("authenticated")
                            .asBoolean())
                    .isTrue();
            // The TCP peer, silent as long, goes through two pings and a close: three intervals have passed.
            tcp.readJson(WAIT);
            tcp.readJson(WAIT);
            tcp.readJson(WAIT);
            tcp.assertClosedWithin(WAIT);
            assertThat(unix.isClosedByPeer()).isFalse();
            assertThat(unix.request(2, "hub/ping", null).readJson().path("id").asInt())
                    .as("the next thing the Unix peer reads is its own answer, not a ping")
                    .isEqualTo(2);
        }
    }

    /** The JDK's WebSocket answers pings with pongs by itself. */
    @Test
    void aWebSocketThatAnswersPingsStaysConnected() throws Exception {
        AtomicInteger pings = new AtomicInteger();
        BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        BlockingQueue<Integer> closes = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + port + "/ws?token=" + hub.token()), new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onPing(WebSocket w, ByteBuffer message) {
                                pings.incrementAndGet();
                                return WebSocket.Listener.super.onPing(w, message);
                            }

                            @Override
                            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                                texts.add(data.toString());
                                w.request(1);
                                return null;
                            }

                            @Override
                            public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                                closes.add(status);
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        try {
            Awaitility.await().atMost(WAIT).until(() -> pings.get() >= 4);
            assertThat(closes).as("not closed after four pings").isEmpty();
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"hub/ping\"}", true)
                    .get(10, TimeUnit.SECONDS);
            String reply = texts.poll(10, TimeUnit.SECONDS);
            assertThat(reply).contains("\"id\":7").contains("pong");
        } finally {
            ws.abort();
        }
    }

    /** A hand-written WebSocket client that never answers pings. */
    @Test
    void aWebSocketThatNeverAnswersIsClosedWithHeartbeatTimeout() throws Exception {
        try (RawConnection c = RawConnection.tcp(port)) {
            c.send(("GET /ws?token=" + hub.token() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readLine(WAIT)).startsWith("HTTP/1.1 101");
            while (!c.readLine(WAIT).equals("\r")) {
                // the rest of the response head
            }
            assertThat(frame(c).opcode).as("first ping").isEqualTo(0x9);
            assertThat(frame(c).opcode).as("second ping").isEqualTo(0x9);
            Frame close = frame(c);
            assertThat(close.opcode).as("a close frame").isEqualTo(0x8);
            ByteBuffer body = ByteBuffer.wrap(close.payload);
            assertThat(body.getShort() & 0xFFFF).as("close status").isEqualTo(1008);
            assertThat(StandardCharsets.UTF_8.decode(body).toString()).isEqualTo("heartbeat_timeout");
            c.assertClosedWithin(WAIT);
        }
    }

    private record Frame(int opcode, byte[] payload) {}

    /** One unmasked server frame with a payload under 126 bytes. */
    private static Frame frame(RawConnection c) throws Exception {
        byte[] head = c.readBytes(2, WAIT);
        int length = head[1] & 0x7F;
        assertThat(length).as("a short control frame").isLessThan(126);
        return new Frame(head[0] & 0x0F, c.readBytes(length, WAIT));
    }
}
