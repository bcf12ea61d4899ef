package dev.agentwire.netty;

import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link Message}s, {@link OutboundBatch}es and (typed framing only) raw {@link Frame}s in one
 * connection's framing: a JSON line, a length-prefixed JSON text, or a {@code JsonRpc} typed frame.
 */
public final class MessageEncoder extends MessageToByteEncoder<Object> {

    private final Framing framing;

    public MessageEncoder(Framing framing) {
        if (framing == Framing.HTTP) {
            throw new IllegalArgumentException("HTTP has its own encoder");
        }
        this.framing = framing;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof Message || msg instanceof OutboundBatch || msg instanceof Frame;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
        writeTo(framing, msg, out);
    }

    /** Writes a {@link Message} or an {@link OutboundBatch} as bare JSON (no framing) to {@code out}. */
    public static void writeJson(Object msg, ByteBuf out) {
        ByteBufOutputStream stream = new ByteBufOutputStream(out);
        if (msg instanceof OutboundBatch batch) {
            MessageCodec.writeBatch(batch.messages(), stream);
        } else {
            MessageCodec.write((Message) msg, stream);
        }
    }

    /** Writes a {@link Message}, an {@link OutboundBatch} or (typed framing) a {@link Frame} to {@code out}. */
    public static void writeTo(Framing framing, Object msg, ByteBuf out) {
        if (msg instanceof Frame frame) {
            if (framing != Framing.TYPED) {
                throw new IllegalStateException("a " + framing + " connection cannot carry typed frames");
            }
            out.writeByte(frame.type()).writeInt(frame.payload().length).writeBytes(frame.payload());
            return;
        }
        int header = out.writerIndex();
        switch (framing) {
            case LENGTH_PREFIXED -> out.writeInt(0);
            case TYPED -> out.writeByte(FrameType.JSON_RPC.code()).writeInt(0);
            default -> {}
        }
        int body = out.writerIndex();
        ByteBufOutputStream stream = new ByteBufOutputStream(out);
        if (msg instanceof OutboundBatch batch) {
            MessageCodec.writeBatch(batch.messages(), stream);
        } else {
            MessageCodec.write((Message) msg, stream);
        }
        int length = out.writerIndex() - body;
        switch (framing) {
            case NDJSON -> out.writeByte('\n');
            case LENGTH_PREFIXED -> out.setInt(header, length);
            case TYPED -> out.setInt(header + 1, length);
            default -> {}
        }
    }
}
