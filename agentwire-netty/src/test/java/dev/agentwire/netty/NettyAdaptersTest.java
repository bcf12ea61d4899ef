package dev.agentwire.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.Framing;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class NettyAdaptersTest {

    @Test
    void theDecoderEmitsFramesAcrossReads() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFrameDecoder(Framing.NDJSON.newDecoder(100)));
        ch.writeInbound(Unpooled.copiedBuffer("{\"a\":1}\n{\"b\"", UTF_8));
        ch.writeInbound(Unpooled.copiedBuffer(":2}\n", UTF_8));
        Frame a = ch.readInbound();
        Frame b = ch.readInbound();
        assertThat(new String(a.payload(), UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(new String(b.payload(), UTF_8)).isEqualTo("{\"b\":2}");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aBrokenStreamBecomesOneFailureAndLaterBytesAreDropped() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamFrameDecoder(Framing.TYPED.newDecoder(1024)));
        ch.writeInbound(Unpooled.buffer().writeByte(0x10).writeInt(-1));
        StreamFailure failure = ch.readInbound();
        assertThat(failure.error().code()).isEqualTo(-32006);
        ch.writeInbound(Unpooled.buffer().writeByte(0x07).writeInt(0));
        Object rest = ch.readInbound();
        assertThat(rest).isNull();
        ch.finish();
    }

    @Test
    void detectsANativeTransportOnLinux() {
        NettyTransport t = NettyTransport.detect();
        if (System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            assertThat(t).isEqualTo(NettyTransport.EPOLL);
            assertThat(t.supportsAbstract()).isTrue();
        }
        assertThat(NettyTransport.NIO.supportsAbstract()).isFalse();
    }
}
