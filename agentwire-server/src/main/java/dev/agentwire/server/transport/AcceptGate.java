package dev.agentwire.server.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the TCP listener from taking more than {@code max} descriptors ({@code limits.maxTcpConnections}): it
 * counts accepted connections as they are accepted, on the listener's own thread, and stops accepting
 * (auto-read off on the listener) while {@code max} are open, so further peers wait in the kernel's backlog instead
 * of taking descriptors. The Unix sockets, which need descriptors too, always have the rest. Closing connections
 * let it accept again. Sits on the listener's pipeline; thread safe.
 */
@ChannelHandler.Sharable
final class AcceptGate extends ChannelInboundHandlerAdapter {

    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    AcceptGate(int max) {
        this.max = max;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel child) {
            Channel listener = ctx.channel();
            if (open.incrementAndGet() >= max) {
                listener.config().setAutoRead(false);
                if (open.get() < max) {
                    listener.config().setAutoRead(true); // one closed between the count and the switch
                }
            }
            child.closeFuture().addListener(f -> {
                if (open.decrementAndGet() < max && !listener.config().isAutoRead()) {
                    listener.config().setAutoRead(true);
                }
            });
        }
        ctx.fireChannelRead(msg);
    }

    /** TCP connections open now. */
    int open() {
        return open.get();
    }
}
