package dev.agentwire.server.transport;

import dev.agentwire.core.Connection;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.RpcError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Before a TCP stream connection authenticates ({@code hub/hello} with a token) it may send at most
 * {@value #MAX_BYTES} bytes: enough for any hello, too little to make the hub buffer a stranger's
 * {@code limits.maxMessageBytes} line. Past that: one {@code -32006} and a close. Once the connection has
 * authenticated the handler removes itself. Runs on the event loop, before the framing decoder.
 */
final class PreAuthReadLimit extends ChannelInboundHandlerAdapter {

    /** What a peer may send before it has authenticated. */
    static final int MAX_BYTES = 64 * 1024;

    private long received;
    private boolean over;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (over) {
            ReferenceCountUtil.release(msg); // closing
            return;
        }
        Connection c = ctx.channel().attr(Attributes.CONNECTION).get();
        if (c != null && c.isAuthenticated()) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof ByteBuf b) {
            received += b.readableBytes();
            if (received > MAX_BYTES) {
                over = true;
                ReferenceCountUtil.release(msg);
                var data = dev.agentwire.core.HubException.reasonData("unauthenticated_too_large");
                data.put("limit", MAX_BYTES);
                RpcError error = new RpcError(
                        ErrorCode.TOO_LARGE.code(),
                        "before hub/hello with a token a connection may send at most " + MAX_BYTES + " bytes",
                        data);
                if (c != null) {
                    c.outbound().closeWith(error); // in the connection's own framing
                } else {
                    ErrorLine.sendAndClose(ctx, error);
                }
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }
}
