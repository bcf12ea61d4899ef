package dev.agentwire.netty;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import io.netty.buffer.ByteBuf;
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
    void theEncoderWritesEachFraming() {
        Message m = new Message.Notification("x", null);
        byte[] json = "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}".getBytes(UTF_8);
        EmbeddedChannel nd = new EmbeddedChannel(new MessageEncoder(Framing.NDJSON));
        nd.writeOutbound(m);
        ByteBuf line = nd.readOutbound();
        assertThat(line.toString(UTF_8)).isEqualTo(new String(json, UTF_8) + "\n");
        line.release();
        EmbeddedChannel lp = new EmbeddedChannel(new MessageEncoder(Framing.LENGTH_PREFIXED));
        lp.writeOutbound(new OutboundBatch(java.util.List.of(
                new Message.Response(Id.of(1), com.fasterxml.jackson.databind.node.TextNode.valueOf("ok")))));
        ByteBuf prefixed = lp.readOutbound();
        assertThat(prefixed.readInt()).isEqualTo(prefixed.readableBytes());
        assertThat(prefixed.toString(UTF_8)).startsWith("[{");
        prefixed.release();
        EmbeddedChannel typed = new EmbeddedChannel(new MessageEncoder(Framing.TYPED));
        typed.writeOutbound(m, Frame.of(FrameType.HEARTBEAT, new byte[0]));
        ByteBuf f1 = typed.readOutbound();
        assertThat(f1.readByte()).isEqualTo((byte) 0x10);
        assertThat(f1.readInt()).isEqualTo(json.length);
        f1.release();
        ByteBuf f2 = typed.readOutbound();
        assertThat(f2.readByte()).isEqualTo((byte) 0x07);
        assertThat(f2.readInt()).isZero();
        f2.release();
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
