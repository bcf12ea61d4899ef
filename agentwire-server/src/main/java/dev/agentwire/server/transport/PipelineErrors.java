package dev.agentwire.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in every hub pipeline: takes the exceptions no handler before it took, so that none reaches Netty's tail
 * (which logs a warning with a stack trace and leaves the connection open). A broken or vanished peer (an I/O
 * error, bytes no decoder accepts, a connection closed in the middle of an HTTP request) is logged at debug
 * level, since any stranger can cause it and must not be able to fill the log; anything else is a bug in the
 * hub and is logged with its stack trace. Either way the connection is closed. One per connection.
 */
final class PipelineErrors extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(PipelineErrors.class);

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException
                || cause instanceof DecoderException
                || cause instanceof PrematureChannelClosureException) {
            log.debug("{}: closing: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("{}: unexpected error, closing", ctx.channel(), cause);
        }
        ctx.close();
    }
}
