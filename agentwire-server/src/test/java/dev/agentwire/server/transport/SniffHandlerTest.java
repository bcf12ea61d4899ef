package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.protocol.Framing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SniffHandler} on an {@link EmbeddedChannel}: the framing it picks for a connection's first bytes, that
 * those bytes reach the handlers it installed, and the one error line and close for a byte that names no
 * framing; then the same first bytes on the hub's real TCP pipeline, and the handlers they leave installed.
 */
class SniffHandlerTest {

    private final EmbeddedHub hub = new EmbeddedHub();

    @AfterEach
    void close() {
        hub.close();
    }

    /** What the installer was asked for, and the bytes that reached the handler it installed. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<Framing> installed = new ArrayList<>();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        void install(ChannelHandlerContext ctx, Framing framing) {
            installed.add(framing);
            ctx.pipeline().addAfter(ctx.name(), "recorder", this);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            received.writeBytes(ByteBufUtil.getBytes(b));
            b.release();
        }
    }

    private EmbeddedChannel sniffing(boolean tcp, Recorder recorder) {
        EmbeddedChannel ch = EmbeddedHub.admitted(
                Peer.remote(tcp ? Transport.TCP : Transport.UNIX, "peer"), new SniffHandler(tcp, recorder::install));
        hub.keep(ch);
        return ch;
    }

    static Stream<Arguments> textFirstBytes() {
        return Stream.of(
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}\n", true, Framing.NDJSON),
                Arguments.of("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}]\n", false, Framing.NDJSON),
                Arguments.of(" \n{}\n", false, Framing.NDJSON),
                Arguments.of("GET /health HTTP/1.1\r\nHost: 127.0.0.1:7777\r\n\r\n", true, Framing.HTTP),
                Arguments.of(
                        "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", true, Framing.HTTP),
                Arguments.of("POST /api/route-llm HTTP/1.1\r\n\r\n", true, Framing.HTTP),
                Arguments.of("OPTIONS * HTTP/1.1\r\n\r\n", true, Framing.HTTP));
    }

    @ParameterizedTest(name = "[{index}] tcp={1}: {2}")
    @MethodSource("textFirstBytes")
    void aTextFirstByteInstallsItsFramingAndPassesEveryByteOn(String first, boolean tcp, Framing expected) {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = sniffing(tcp, recorder);
        byte[] bytes = first.getBytes(StandardCharsets.US_ASCII);

        Wire.send(ch, bytes);

        assertThat(recorder.installed).containsExactly(expected);
        assertThat(recorder.received.toByteArray())
                .as("the bytes already read reach the installed handlers")
                .isEqualTo(bytes);
        assertThat(ch.pipeline().get(SniffHandler.class))
                .as("the sniffer removed itself")
                .isNull();
        assertThat(Wire.written(ch)).isEmpty();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void binaryFirstBytesAreLengthPrefixedOrTypedFrames() {
        byte[][] inputs = {
            {0x00, 0x00, 0x00, 0x00, 0x02, '{', '}'}, // length-prefixed
            {0x10, 0x00, 0x00, 0x00, 0x02, '{', '}'}, // typed: JsonRpc
            {0x07, 0x00, 0x00, 0x00, 0x00}, // typed: Heartbeat
            {0x3F}, // the last typed-frame byte
        };
        Framing[] expected = {Framing.LENGTH_PREFIXED, Framing.TYPED, Framing.TYPED, Framing.TYPED};
        for (int i = 0; i < inputs.length; i++) {
            Recorder recorder = new Recorder();
            EmbeddedChannel ch = sniffing(false, recorder);
            Wire.send(ch, inputs[i]);
            assertThat(recorder.installed).as("first byte 0x%02X", inputs[i][0]).containsExactly(expected[i]);
            assertThat(recorder.received.toByteArray()).isEqualTo(inputs[i]);
        }
    }

    @Test
    void theFirstByteDecidesEvenWhenItArrivesAlone() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = sniffing(true, recorder);

        Wire.send(ch, "{");
        Wire.send(ch, "\"jsonrpc\":\"2.0\"}\n");

        assertThat(recorder.installed).containsExactly(Framing.NDJSON);
        assertThat(recorder.received.toString(StandardCharsets.US_ASCII)).isEqualTo("{\"jsonrpc\":\"2.0\"}\n");
    }

    @Test
    void junkGetsOneParseErrorLineAndAClose() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = sniffing(true, recorder);

        Wire.send(ch, "xyz\n{\"jsonrpc\":\"2.0\"}\n");

        List<JsonNode> lines = Wire.lines(ch);
        assertThat(lines).as("one error line").hasSize(1);
        JsonNode error = lines.get(0);
        assertThat(error.path("id").isNull()).isTrue();
        assertThat(error.path("error").path("code").asInt()).isEqualTo(-32700);
        assertThat(error.path("error").path("data").path("reason").asText()).isEqualTo("unknown_framing");
        assertThat(error.path("error").path("message").asText())
                .contains("'x' (0x78)")
                .contains("an HTTP method");
        assertThat(ch.isOpen()).isFalse();
        assertThat(recorder.installed).isEmpty();
    }

    @Test
    void httpOnTheUnixSocketIsJunk() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = sniffing(false, recorder);

        Wire.send(ch, "GET / HTTP/1.1\r\n\r\n");

        List<JsonNode> lines = Wire.lines(ch);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).path("error").path("code").asInt()).isEqualTo(-32700);
        assertThat(lines.get(0).path("error").path("message").asText())
                .contains("'G' (0x47)")
                .doesNotContain("HTTP");
        assertThat(ch.isOpen()).isFalse();
        assertThat(recorder.installed).isEmpty();
    }

    @Test
    void aRefusedPeersBytesAreDroppedUnanswered() {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(false, false); // no PEER: its admission refused it
        ch.pipeline().addLast(new SniffHandler(false, recorder::install));
        hub.keep(EmbeddedHub.registered(ch));

        Wire.send(ch, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}\n");
        Wire.send(ch, "xyz");

        assertThat(recorder.installed).isEmpty();
        assertThat(Wire.written(ch)).as("no answer, not even an error line").isEmpty();
    }

    // --- the hub's own TCP pipeline ----------------------------------------------------------------------

    private EmbeddedChannel tcp() {
        return hub.tcp();
    }

    @Test
    void aJsonLineOnTheTcpPortGetsTheStreamPipelineAndAConnection() {
        EmbeddedChannel ch = tcp();

        Wire.send(ch, "{\"jsonrpc\":\"2.0\""); // the rest of the line is still on its way

        assertThat(ch.pipeline().names())
                .contains("pre-auth-limit", "framing", "rpc")
                .doesNotContain("sniff", "http-codec", "http-gate");
        Connection c = ch.attr(Attributes.CONNECTION).get();
        assertThat(c).as("a core connection").isNotNull();
        assertThat(c.peer().transport()).isEqualTo(Transport.TCP);
        assertThat(c.isAuthenticated()).isFalse();
        assertThat(hub.core.connections()).containsExactly(c);
    }

    @Test
    void aTypedFrameOnTheTcpPortGetsTheStreamPipeline() {
        EmbeddedChannel ch = tcp();

        Wire.send(ch, new byte[] {0x07, 0x00, 0x00, 0x00, 0x00}); // a Heartbeat frame

        assertThat(ch.pipeline().names()).contains("framing", "rpc").doesNotContain("sniff", "http-codec");
        assertThat(ch.attr(Attributes.CONNECTION).get()).isNotNull();
        assertThat(Wire.written(ch)).as("the Heartbeat echoed").isEqualTo(new byte[] {0x07, 0x00, 0x00, 0x00, 0x00});
    }

    @Test
    void anHttpRequestOnTheTcpPortGetsTheHttpPipelineAndNoConnection() {
        EmbeddedChannel ch = tcp();

        Wire.send(ch, Wire.get("/health"));

        assertThat(ch.pipeline().names())
                .containsSubsequence(
                        "http-codec",
                        "http-deadlines",
                        "http-targets",
                        "http-gate",
                        "http-aggregator",
                        "ws-protocol",
                        "ws-rpc",
                        "api",
                        "login",
                        "http")
                .doesNotContain("sniff", "framing", "rpc");
        assertThat(Wire.response(ch).status()).isEqualTo(200);
        assertThat(hub.core.connections())
                .as("HTTP opens no connection until it needs one")
                .isEmpty();
    }

    @Test
    void aWebSocketUpgradeOnTheTcpPortGetsTheHttpPipelineAndItsHandshake() {
        EmbeddedChannel ch = tcp();

        Wire.send(ch, Wire.upgrade("/ws?token=" + EmbeddedHub.TOKEN));

        assertThat(Wire.response(ch).status()).isEqualTo(101);
        Connection c = ch.attr(Attributes.CONNECTION).get();
        assertThat(c.peer().transport()).isEqualTo(Transport.WEBSOCKET);
    }

    @Test
    void junkOnTheTcpPortIsAnsweredAndClosedWithoutAConnection() {
        EmbeddedChannel ch = tcp();

        Wire.send(ch, "\u00ff\u00fe");

        List<JsonNode> lines = Wire.lines(ch);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).path("error").path("data").path("reason").asText())
                .isEqualTo("unknown_framing");
        assertThat(ch.isOpen()).isFalse();
        assertThat(hub.core.connections()).isEmpty();
    }
}
