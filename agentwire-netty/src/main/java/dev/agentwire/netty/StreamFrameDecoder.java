package dev.agentwire.netty;

import dev.agentwire.protocol.FramingException;
import dev.agentwire.protocol.StreamDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Adapts a pure {@link StreamDecoder} to Netty: emits {@link dev.agentwire.protocol.Frame}s, or one
 * {@link StreamFailure} after which all further input is discarded.
 */
public final class StreamFrameDecoder extends ByteToMessageDecoder {

    private final StreamDecoder decoder;
    private boolean failed;

    public StreamFrameDecoder(StreamDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        run(in, out, false);
    }

    /** The input ended: the decoder may hand over an unfinished unit ({@link StreamDecoder#finish}). */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        run(in, out, true);
    }

    private void run(ByteBuf in, List<Object> out, boolean last) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ByteBuffer nio = in.nioBuffer(in.readerIndex(), in.readableBytes());
        int start = nio.position();
        try {
            if (last) {
                decoder.finish(nio, out::add);
            } else {
                decoder.decode(nio, out::add);
            }
            in.skipBytes(nio.position() - start);
        } catch (FramingException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            out.add(new StreamFailure(e.error()));
        }
    }
}
