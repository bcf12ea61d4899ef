package dev.agentwire.server.transport;

import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.RpcError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/** The one NDJSON error line a connection gets before it is closed, when no framing is set up yet. */
final class ErrorLine {

    private ErrorLine() {}

    /** Writes {@code error} as an error response with a null id and a newline, then closes. */
    static void sendAndClose(ChannelHandlerContext ctx, RpcError error) {
        byte[] json = MessageCodec.encode(new Message.ErrorResponse(Id.NULL, error));
        ctx.writeAndFlush(Unpooled.wrappedBuffer(json, new byte[] {'\n'})).addListener(ChannelFutureListener.CLOSE);
    }
}
