package dev.agentwire.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness of the connection to the hub (DESIGN.md §4, the client's side): after an interval without a byte
 * from the hub it sends {@code hub/ping}; after two pings with nothing back it closes the channel, which the
 * client reports as a lost connection (and reconnects from). A hub that is frozen or gone behind a half-open
 * connection is noticed this way; one that died is noticed at once by the kernel.
 *
 * <p>Sits in front of the decoder, so any byte from the hub counts as life. One per channel; runs on the
 * channel's event loop.
 */
final class HubLiveness extends IdleStateHandler {

    private static final Logger log = LoggerFactory.getLogger(HubLiveness.class);

    /** Pings that may go unanswered; the next silent interval ends the connection. */
    static final int MAX_UNANSWERED = 2;

    /** Why the channel was closed, when this handler closed it. */
    static final AttributeKey<String> LOST = AttributeKey.valueOf("agentwire.client.liveness-lost");

    private final Duration interval;
    private final Runnable ping;
    private int unanswered;

    /**
     * @param interval silence before a ping; positive
     * @param ping sends {@code hub/ping} on this connection
     */
    HubLiveness(Duration interval, Runnable ping) {
        super(false, interval.toNanos(), 0, 0, TimeUnit.NANOSECONDS);
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("the ping interval must be positive: " + interval);
        }
        this.interval = interval;
        this.ping = ping;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        if (evt.state() != IdleState.READER_IDLE) {
            return;
        }
        if (evt.isFirst()) {
            unanswered = 0; // the hub sent something since the last event
        }
        if (unanswered >= MAX_UNANSWERED) {
            String why = "nothing from the hub for "
                    + interval.multipliedBy(MAX_UNANSWERED + 1L).toMillis() + " ms and " + unanswered
                    + " hub/ping unanswered (idlePing " + interval.toMillis() + " ms)";
            log.warn("{}: {}; treating the connection as lost", ctx.channel().remoteAddress(), why);
            ctx.channel().attr(LOST).set(why);
            ctx.close();
            return;
        }
        unanswered++;
        ping.run();
    }
}
