package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.Framing;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RpcHandler} behind its framing decoder on an {@link EmbeddedChannel}, with a real core: it opens the
 * peer's core connection, answers calls in the connection's framing, echoes Heartbeat frames, answers other frame
 * types with a non-fatal Error frame, reports a broken stream with one error and a close, and forgets the
 * connection when the channel goes. The calls used ({@code hub/ping}, junk) are answered on the calling thread,
 * so every answer is in the channel when the write returns.
 */
class RpcHandlerTest {

    private static final String PING = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}";
    private static final int MAX = 1024;

    private final EmbeddedHub hub = new EmbeddedHub();

    @AfterEach
    void close() {
        hub.close();
    }

    /** A Unix-socket peer (admitted by its credentials, so authenticated) or a TCP one (not yet). */
    private static Peer peer(Transport transport) {
        return Peer.remote(transport, transport == Transport.UNIX ? EmbeddedHub.UNIX_ADDRESS : "127.0.0.1:40000");
    }

    private EmbeddedChannel connect(Transport transport, Framing framing) {
        EmbeddedChannel ch = EmbeddedHub.admitted(
                peer(transport),
                new StreamFrameDecoder(framing.newDecoder(MAX)),
                new RpcHandler(hub.core, framing, 1 << 20, 1_000_000_000L));
        hub.keep(ch);
        return ch;
    }

    private static byte[] typed(int type, byte[] payload) {
        return ByteBuffer.allocate(5 + payload.length)
                .put((byte) type)
                .putInt(payload.length)
                .put(payload)
                .array();
    }

    private static byte[] typed(int type, String payload) {
        return typed(type, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** One typed frame read back: its type and payload. */
    private record Typed(int type, JsonNode json) {}

    private static List<Typed> frames(byte[] bytes) {
        List<Typed> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            int type = b.get() & 0xFF;
            byte[] payload = new byte[b.getInt()];
            b.get(payload);
            out.add(new Typed(
                    type, payload.length == 0 ? null : Wire.json(new String(payload, StandardCharsets.UTF_8))));
        }
        return out;
    }

    @Test
    void itOpensTheCoreConnectionOfThePeerTheAdmissionRecorded() {
        EmbeddedChannel unix = connect(Transport.UNIX, Framing.NDJSON);
        EmbeddedChannel tcp = connect(Transport.TCP, Framing.NDJSON);

        Connection u = unix.attr(Attributes.CONNECTION).get();
        Connection t = tcp.attr(Attributes.CONNECTION).get();
        assertThat(hub.core.connections()).containsExactlyInAnyOrder(u, t);
        assertThat(u.peer()).isEqualTo(peer(Transport.UNIX));
        assertThat(u.isAuthenticated())
                .as("a Unix peer was admitted by its credentials")
                .isTrue();
        assertThat(t.isAuthenticated()).as("a TCP peer must say hub/hello").isFalse();
    }

    @Test
    void aCallIsAnsweredAsANdjsonLine() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.NDJSON);

        Wire.send(ch, PING + "\n");

        List<JsonNode> lines = Wire.lines(ch);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).path("id").asInt()).isEqualTo(1);
        assertThat(lines.get(0).path("result").path("pong").asBoolean()).isTrue();
    }

    @Test
    void aCallIsAnsweredLengthPrefixed() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.LENGTH_PREFIXED);
        byte[] ping = PING.getBytes(StandardCharsets.UTF_8);

        Wire.send(
                ch,
                ByteBuffer.allocate(4 + ping.length)
                        .putInt(ping.length)
                        .put(ping)
                        .array());

        ByteBuffer answer = ByteBuffer.wrap(Wire.written(ch));
        int length = answer.getInt();
        assertThat(length).as("the length prefix").isEqualTo(answer.remaining());
        JsonNode json = Wire.json(StandardCharsets.UTF_8.decode(answer).toString());
        assertThat(json.path("result").path("pong").asBoolean()).isTrue();
    }

    @Test
    void aJsonRpcFrameIsAnsweredInAJsonRpcFrame() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.TYPED);

        Wire.send(ch, typed(0x10, PING));

        List<Typed> frames = frames(Wire.written(ch));
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).type()).isEqualTo(0x10);
        assertThat(frames.get(0).json().path("result").path("pong").asBoolean()).isTrue();
    }

    @Test
    void aHeartbeatFrameIsEchoedWithItsPayload() {
        EmbeddedChannel ch = connect(Transport.TCP, Framing.TYPED);
        byte[] beat = typed(0x07, "{\"seq\":42}");

        Wire.send(ch, beat);

        assertThat(Wire.written(ch)).isEqualTo(beat);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aFrameTypeTheHubDoesNotTakeGetsAnErrorFrameAndTheConnectionStays() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.TYPED);

        Wire.send(ch, typed(0x01, "ls\n")); // STDIN_DATA: the terminals' control socket takes it, this one not

        List<Typed> frames = frames(Wire.written(ch));
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).type()).isEqualTo(0x06);
        assertThat(frames.get(0).json().path("code").asInt()).isEqualTo(-32600);
        assertThat(frames.get(0).json().path("data").path("reason").asText()).isEqualTo("unsupported_frame");
        assertThat(frames.get(0).json().path("message").asText()).contains("0x01 (STDIN_DATA)");
        assertThat(ch.isOpen()).isTrue();

        Wire.send(ch, typed(0x10, PING));
        assertThat(frames(Wire.written(ch))).extracting(Typed::type).containsExactly(0x10);
    }

    @Test
    void aLineOverTheLimitGetsOneErrorAndAClose() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.NDJSON);

        Wire.send(ch, "{\"x\":\"" + "a".repeat(MAX) + "\"}\n" + PING + "\n");

        List<JsonNode> lines = Wire.lines(ch);
        assertThat(lines).as("one error, nothing for what followed").hasSize(1);
        assertThat(lines.get(0).path("id").isNull()).isTrue();
        assertThat(lines.get(0).path("error").path("code").asInt()).isEqualTo(-32006);
        assertThat(lines.get(0).path("error").path("data").path("limit").asInt())
                .isEqualTo(MAX);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aTypedFrameOverTheLimitGetsOneErrorFrameAndAClose() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.TYPED);
        byte[] head = ByteBuffer.allocate(5).put((byte) 0x10).putInt(MAX + 1).array();

        Wire.send(ch, head);

        List<Typed> frames = frames(Wire.written(ch));
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).type()).isEqualTo(0x06);
        assertThat(frames.get(0).json().path("code").asInt()).isEqualTo(-32006);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void junkBeforeAuthenticationGetsOneAnswerAndAClose() {
        EmbeddedChannel ch = connect(Transport.TCP, Framing.NDJSON);

        Wire.send(ch, "{\n{\n{\n");

        List<JsonNode> lines = Wire.lines(ch);
        assertThat(lines).as("one answer, not one per line").hasSize(1);
        assertThat(lines.get(0).path("error").path("code").asInt()).isEqualTo(-32700);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void junkAfterAuthenticationIsAnsweredLineByLine() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.NDJSON);

        Wire.send(ch, "{\n{\n");

        assertThat(Wire.lines(ch))
                .extracting(l -> l.path("error").path("code").asInt())
                .containsExactly(-32700, -32700);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void theConnectionIsForgottenWhenTheChannelCloses() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.NDJSON);
        Connection c = ch.attr(Attributes.CONNECTION).get();

        ch.close();

        assertThat(c.isOpen()).isFalse();
        assertThat(hub.core.connections()).isEmpty();
    }

    @Test
    void theConnectionIsForgottenWhenTheHandlerIsRemoved() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.NDJSON);
        Connection c = ch.attr(Attributes.CONNECTION).get();

        ch.pipeline().remove(RpcHandler.class);

        assertThat(c.isOpen()).isFalse();
        assertThat(hub.core.connections()).isEmpty();
    }

    @Test
    void aPeerThatHalfClosesIsAnsweredThenClosed() {
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.NDJSON);

        Wire.send(ch, PING + "\n");
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        ch.runPendingTasks();

        assertThat(Wire.lines(ch)).hasSize(1);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void otherUserEventsPassOn() {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel ch = connect(Transport.UNIX, Framing.NDJSON);
        ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
                seen.add(evt);
            }
        });

        ch.pipeline().fireUserEventTriggered("something else");

        assertThat(seen).containsExactly("something else");
        assertThat(ch.isOpen()).isTrue();
        assertThat(Wire.written(ch)).isEmpty();
    }
}
