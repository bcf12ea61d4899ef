package dev.agentwire.server.transport;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.RpcError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Reads a connection's first byte, installs the pipeline for the framing it names, and removes itself (the
 * bytes already read pass on). A first byte that names no framing gets one NDJSON error line and a close.
 */
final class SniffHandler extends ByteToMessageDecoder {

    private final boolean allowHttp;
    private final BiConsumer<ChannelHandlerContext, Framing> installer;

    /**
     * @param allowHttp whether HTTP is recognised (TCP port)
     * @param installer adds the handlers for the sniffed framing after this one
     */
    SniffHandler(boolean allowHttp, BiConsumer<ChannelHandlerContext, Framing> installer) {
        this.allowHttp = allowHttp;
        this.installer = installer;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        if (ctx.channel().attr(Attributes.PEER).get() == null) {
            in.skipBytes(in.readableBytes()); // a refused peer: it is being closed
            return;
        }
        int first = in.getUnsignedByte(in.readerIndex());
        var framing = Framing.sniff(first, allowHttp);
        if (framing.isEmpty()) {
            in.skipBytes(in.readableBytes());
            RpcError error =
                    RpcError.of(ErrorCode.PARSE_ERROR, Framing.describeUnknown(first, allowHttp), "unknown_framing");
            ErrorLine.sendAndClose(ctx, error);
            return;
        }
        installer.accept(ctx, framing.get());
        ctx.pipeline().remove(this);
    }
}
