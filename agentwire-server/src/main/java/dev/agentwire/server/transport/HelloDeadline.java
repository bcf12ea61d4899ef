package dev.agentwire.server.transport;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a TCP connection that has not authenticated with {@code hub/hello {token}} within the deadline
 * ({@code limits.helloTimeoutMs}, default 5 s). HTTP connections authenticate per request and cancel it.
 */
final class HelloDeadline extends ChannelInboundHandlerAdapter {

    private final long timeoutMs;
    private final dev.agentwire.core.audit.Audit audit;
    private ScheduledFuture<?> timer;

    HelloDeadline(long timeoutMs, dev.agentwire.core.audit.Audit audit) {
        this.timeoutMs = timeoutMs;
        this.audit = audit;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> expire(ctx), timeoutMs, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    /** Stops the deadline (HTTP, or an authenticated peer). */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        Connection c = ctx.channel().attr(Attributes.CONNECTION).get();
        if (c != null && c.isAuthenticated()) {
            return;
        }
        var error = HubException.of(
                        ErrorCode.FORBIDDEN,
                        "hello_timeout",
                        "no hub/hello with a valid token within " + timeoutMs + " ms; closing")
                .toRpcError();
        var f = dev.agentwire.protocol.Json.mapper().createObjectNode();
        f.put("transport", "tcp");
        f.put("peer", String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", ""));
        f.put("reason", "hello_timeout");
        f.put("message", error.message());
        audit.record("connection_refused", f);
        if (c != null) {
            c.outbound().closeWith(error);
            // The error waits behind whatever is queued; a peer that reads nothing must not keep its slot.
            ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS);
        } else {
            ctx.close();
        }
    }
}
