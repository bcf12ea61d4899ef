package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.netty.NettyTransport;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link UnixAdmission} on an {@link EmbeddedChannel}. An embedded channel is no Unix socket, so the kernel gives
 * no credentials for it: every transport must refuse it, with one error line naming the reason, an audit
 * record and a close, and nothing after the admission may take the peer for admitted. (A peer that has
 * credentials and is refused by the policy needs a real socket: {@code PeerCredentialsTest},
 * {@code AllowProcessesTest}.)
 */
class UnixAdmissionTest {

    private final EmbeddedHub hub = new EmbeddedHub();

    @AfterEach
    void close() {
        hub.close();
    }

    /** Counts the channelActive events that got past the admission. */
    private static final class After extends ChannelInboundHandlerAdapter {
        int active;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active++;
        }
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void aPeerWithoutCredentialsIsRefusedWithTheReason(NettyTransport transport) {
        After after = new After();
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.pipeline()
                .addLast(new UnixAdmission(hub.core, transport, EmbeddedHub.UNIX_ADDRESS, OptionalInt.of(1000)), after);
        hub.keep(EmbeddedHub.registered(ch));

        List<JsonNode> lines = Wire.lines(ch);
        assertThat(lines).as("one error line").hasSize(1);
        JsonNode error = lines.get(0).path("error");
        assertThat(lines.get(0).path("id").isNull()).isTrue();
        assertThat(error.path("code").asInt()).isEqualTo(-32005);
        assertThat(error.path("data").path("reason").asText()).isEqualTo("peer_refused");
        assertThat(error.path("message").asText())
                .isEqualTo("connection refused: the kernel gave no peer credentials for this connection");
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.attr(Attributes.PEER).get())
                .as("no admitted peer recorded")
                .isNull();
        assertThat(after.active).as("channelActive stops at the admission").isZero();
        assertThat(hub.audited("connection_refused")).singleElement().satisfies(f -> {
            assertThat(f.path("transport").asText()).isEqualTo("unix");
            assertThat(f.path("socket").asText()).isEqualTo(EmbeddedHub.UNIX_ADDRESS);
            assertThat(f.path("peer").asText()).isEqualTo("unknown");
            assertThat(f.path("reason").asText()).isEqualTo("peer_refused");
        });
    }

    @Test
    void onTheHubsUnixPipelineARefusedPeerGetsNoConnectionAndItsBytesAreDropped() {
        EmbeddedChannel ch = hub.unix();

        assertThat(Wire.lines(ch)).hasSize(1);
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.pipeline().names()).doesNotContain("framing", "rpc");
        assertThat(hub.core.connections()).isEmpty();
    }
}
