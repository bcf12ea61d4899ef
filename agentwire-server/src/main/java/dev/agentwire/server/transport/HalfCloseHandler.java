package dev.agentwire.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Last in the pipeline: a peer that half-closes a connection no other handler claims (before its first byte,
 * or on HTTP) is closed. JSON-RPC connections claim it in {@link RpcHandler}, which answers first.
 */
final class HalfCloseHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
