package dev.agentwire.server.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every hub pipeline: an error nothing else handled closes the connection. A peer that resets
 * its connection is a debug line, not a WARN with a stack trace (a stranger opening and resetting connections
 * used to flood the log with two traces each); anything else is one WARN. Stateless, so shared.
 */
@ChannelHandler.Sharable
final class QuietTail extends ChannelInboundHandlerAdapter {

    static final QuietTail INSTANCE = new QuietTail();
    private static final Logger log = LoggerFactory.getLogger(QuietTail.class);

    private QuietTail() {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException
                || cause.getCause() instanceof IOException
                || cause instanceof io.netty.handler.codec.DecoderException) {
            log.debug("{}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("{}: unexpected error, closing: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
