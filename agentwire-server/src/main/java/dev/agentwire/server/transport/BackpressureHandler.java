package dev.agentwire.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Stops reading from a peer while its outbound queue is over the high-water mark and resumes when it drains:
 * a client that pipelines requests without reading replies is slowed by the kernel, not buffered by the hub.
 */
final class BackpressureHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }
}
