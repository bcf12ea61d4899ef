package dev.agentwire.server.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.agentwire.netty.OutboundBatch;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each wire format writes for a message, a batch and a typed frame. */
class WireFormatTest {

    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    private static final Message NOTE = new Message.Notification("x", null);
    private static final String NOTE_JSON = "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}";

    @Test
    void ndjsonIsTheJsonAndANewline() {
        ByteBuf line = (ByteBuf) WireFormat.stream(Framing.NDJSON).encode(NOTE, ALLOC);
        assertThat(line.toString(UTF_8)).isEqualTo(NOTE_JSON + "\n");
        line.release();
    }

    @Test
    void lengthPrefixedBatchIsItsLengthThenAnArray() {
        OutboundBatch batch = new OutboundBatch(List.of(new Message.Response(Id.of(1), TextNode.valueOf("ok"))));
        ByteBuf prefixed = (ByteBuf) WireFormat.stream(Framing.LENGTH_PREFIXED).encode(batch, ALLOC);
        assertThat(prefixed.readInt()).isEqualTo(prefixed.readableBytes());
        assertThat(prefixed.toString(UTF_8)).isEqualTo("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"ok\"}]");
        prefixed.release();
    }

    @Test
    void typedFramingWrapsJsonInAJsonRpcFrameAndWritesFramesAsTheyAre() {
        WireFormat typed = WireFormat.stream(Framing.TYPED);
        ByteBuf f1 = (ByteBuf) typed.encode(NOTE, ALLOC);
        assertThat(f1.readByte()).isEqualTo((byte) 0x10);
        assertThat(f1.readInt()).isEqualTo(NOTE_JSON.length());
        assertThat(f1.toString(UTF_8)).isEqualTo(NOTE_JSON);
        f1.release();
        ByteBuf f2 = (ByteBuf) typed.encode(Frame.of(FrameType.HEARTBEAT, "ping".getBytes(UTF_8)), ALLOC);
        assertThat(f2.readByte()).isEqualTo((byte) 0x07);
        assertThat(f2.readInt()).isEqualTo(4);
        assertThat(f2.toString(UTF_8)).isEqualTo("ping");
        f2.release();
    }

    @Test
    void aTypedFrameOnAJsonFramingIsRefused() {
        assertThatThrownBy(() ->
                        WireFormat.stream(Framing.NDJSON).encode(Frame.of(FrameType.HEARTBEAT, new byte[0]), ALLOC))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot carry typed frames");
    }

    @Test
    void webSocketSendsJsonAsTextAndFramesAsBinary() {
        WireFormat ws = WireFormat.webSocket();
        TextWebSocketFrame text = (TextWebSocketFrame) ws.encode(NOTE, ALLOC);
        assertThat(text.text()).isEqualTo(NOTE_JSON);
        text.release();
        BinaryWebSocketFrame binary =
                (BinaryWebSocketFrame) ws.encode(Frame.of(FrameType.HEARTBEAT, new byte[0]), ALLOC);
        assertThat(binary.content().readByte()).isEqualTo((byte) 0x07);
        binary.release();
    }
}
