package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.Framing;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HelloDeadline} on an {@link EmbeddedChannel} whose time the test moves: a TCP connection that has not
 * authenticated by {@code limits.helloTimeoutMs} is audited and closed (with the reason, in its framing, when it
 * has a core connection), and even when it reads nothing; an authenticated or HTTP connection is left alone.
 */
class HelloDeadlineTest {

    private static final long TIMEOUT_MS = EmbeddedHub.HELLO_TIMEOUT_MS;

    private final EmbeddedHub hub = new EmbeddedHub();

    @AfterEach
    void close() {
        hub.close();
    }

    private static Peer tcpPeer() {
        return Peer.remote(Transport.TCP, "127.0.0.1:40000");
    }

    private HelloDeadline deadline() {
        return new HelloDeadline(TIMEOUT_MS, hub.core.audit());
    }

    /** A TCP JSON-RPC connection behind the deadline, as the hub's TCP pipeline has it once the framing is known. */
    private EmbeddedChannel rpcConnection(io.netty.channel.ChannelHandler... before) {
        List<io.netty.channel.ChannelHandler> handlers = new ArrayList<>(List.of(before));
        handlers.add(deadline());
        handlers.add(new StreamFrameDecoder(Framing.NDJSON.newDecoder(1024)));
        handlers.add(new RpcHandler(hub.core, Framing.NDJSON, 1 << 20, 1_000_000_000L));
        EmbeddedChannel ch = EmbeddedHub.admitted(tcpPeer(), handlers.toArray(io.netty.channel.ChannelHandler[]::new));
        hub.keep(ch);
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long ms) {
        ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
    }

    @Test
    void aSilentConnectionIsClosedAtTheDeadlineAndNotBefore() {
        EmbeddedChannel ch = EmbeddedHub.admitted(tcpPeer(), deadline());
        hub.keep(ch);

        advance(ch, TIMEOUT_MS - 1);
        assertThat(ch.isOpen()).as("1 ms before the deadline").isTrue();
        assertThat(hub.audited("connection_refused")).isEmpty();

        advance(ch, 1);
        assertThat(ch.isOpen()).as("at the deadline").isFalse();
        assertThat(hub.audited("connection_refused")).singleElement().satisfies(f -> {
            assertThat(f.path("transport").asText()).isEqualTo("tcp");
            assertThat(f.path("reason").asText()).isEqualTo("hello_timeout");
            assertThat(f.path("message").asText()).contains("within " + TIMEOUT_MS + " ms");
        });
    }

    @Test
    void anUnauthenticatedConnectionHearsWhyInItsFramingThenCloses() {
        EmbeddedChannel ch = rpcConnection();

        advance(ch, TIMEOUT_MS);

        List<JsonNode> lines = Wire.lines(ch);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).path("id").isNull()).isTrue();
        assertThat(lines.get(0).path("error").path("code").asInt()).isEqualTo(-32005);
        assertThat(lines.get(0).path("error").path("data").path("reason").asText())
                .isEqualTo("hello_timeout");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anAuthenticatedConnectionOutlivesTheDeadline() {
        EmbeddedChannel ch = rpcConnection();
        Connection c = ch.attr(Attributes.CONNECTION).get();
        hub.core.authenticate(c, new TokenService.Grant("token", Scopes.ALL));

        advance(ch, TIMEOUT_MS * 3);

        assertThat(ch.isOpen()).isTrue();
        assertThat(Wire.written(ch)).isEmpty();
        assertThat(hub.audited("connection_refused")).isEmpty();
    }

    @Test
    void aCancelledDeadlineNeverFires() {
        HelloDeadline deadline = deadline();
        EmbeddedChannel ch = EmbeddedHub.admitted(tcpPeer(), deadline);
        hub.keep(ch);

        deadline.cancel();
        advance(ch, TIMEOUT_MS * 3);

        assertThat(ch.isOpen()).isTrue();
        assertThat(hub.audited("connection_refused")).isEmpty();
    }

    @Test
    void aConnectionThatWentInactiveFirstIsNotAudited() {
        EmbeddedChannel ch = EmbeddedHub.admitted(tcpPeer(), deadline());
        hub.keep(ch);

        // Only the event: closing an embedded channel would cancel its scheduled tasks itself, a socket's does not.
        ch.pipeline().fireChannelInactive();
        advance(ch, TIMEOUT_MS * 3);

        assertThat(hub.audited("connection_refused")).isEmpty();
    }

    /** Holds every write unfinished: a peer whose socket takes nothing. */
    private static final class PeerReadsNothing extends ChannelOutboundHandlerAdapter {
        final List<Object> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add(msg);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {}

        void release() {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
    }

    @Test
    void aPeerThatReadsNothingIsClosedASecondAfterTheDeadline() {
        PeerReadsNothing stuck = new PeerReadsNothing();
        EmbeddedChannel ch = rpcConnection(stuck);
        try {
            advance(ch, TIMEOUT_MS);
            assertThat(stuck.held).as("the reason is queued").hasSize(1);
            assertThat(ch.isOpen()).as("the reason's write has not finished").isTrue();

            advance(ch, 999);
            assertThat(ch.isOpen()).isTrue();

            advance(ch, 1);
            assertThat(ch.isOpen())
                    .as("closed a second after the deadline, reason taken or not")
                    .isFalse();
        } finally {
            stuck.release();
        }
    }

    // --- on the hub's own TCP pipeline ---------------------------------------------------------------------

    @Test
    void onTheTcpPipelineASilentJsonRpcPeerIsClosedAtTheDeadline() {
        EmbeddedChannel ch = hub.tcp();
        Wire.send(ch, "{\"jsonrpc\""); // the framing is known, the line never ends
        assertThat(ch.attr(Attributes.CONNECTION).get()).isNotNull();

        advance(ch, TIMEOUT_MS);

        assertThat(Wire.lines(ch))
                .extracting(l -> l.path("error").path("data").path("reason").asText())
                .containsExactly("hello_timeout");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void onTheTcpPipelineAnHttpConnectionIsNotHeldToTheHelloDeadline() {
        EmbeddedChannel ch = hub.tcp();
        Wire.send(ch, Wire.get("/health"));
        assertThat(Wire.response(ch).status()).isEqualTo(200);

        advance(ch, TIMEOUT_MS * 2);

        assertThat(ch.isOpen()).as("HTTP authenticates per request").isTrue();
        assertThat(hub.audited("connection_refused")).isEmpty();
    }
}
