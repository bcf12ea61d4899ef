package dev.agentwire.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines for an HTTP connection, so that a peer sending a request one byte at a time (slowloris) or never
 * finishing its body cannot hold a connection: the request head must be complete within {@code headMs} of its
 * first byte ({@code limits.httpHeaderTimeoutMs}), the body within {@code bodyMs} of the head
 * ({@code limits.httpBodyTimeoutMs}), and a keep-alive connection may sit idle between requests for
 * {@code idleMs} ({@code limits.httpIdleTimeoutMs}), and must take each answer within that time as well. A
 * peer that sends more requests while the answers queued for it are past the write high-water mark (it
 * pipelines and does not read) is closed. A peer that misses a deadline mid-request gets 408 and a close;
 * an idle one is closed. Once a WebSocket upgrade is granted (the hub writes its 101) the deadlines stop: the
 * WebSocket has its own liveness. Asking for an upgrade changes nothing before that.
 *
 * <p>Sits between the HTTP codec and the aggregator; runs on the channel's event loop only.
 */
final class HttpDeadlines extends ChannelDuplexHandler {

    private final long headMs;
    private final long bodyMs;
    private final long idleMs;
    private ScheduledFuture<?> timer;
    private boolean inRequest;
    private boolean upgraded;

    HttpDeadlines(long headMs, long bodyMs, long idleMs) {
        this.headMs = headMs;
        this.bodyMs = bodyMs;
        this.idleMs = idleMs;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Installed when the first byte arrived: the first request's head is on its way.
        inRequest = true;
        arm(ctx, headMs, "the request head was not complete within " + headMs + " ms (limits.httpHeaderTimeoutMs)");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!upgraded) {
            if (msg instanceof HttpRequest && !ctx.channel().isWritable()) {
                // More requests while the answers already queued (past the write high-water mark) are not taken:
                // a peer that pipelines without reading would make the hub hold answers without bound.
                io.netty.util.ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            if (msg instanceof HttpRequest) {
                // An Upgrade header changes nothing here: the deadlines stop only once the upgrade was granted.
                inRequest = true;
                arm(
                        ctx,
                        bodyMs,
                        "the request body was not complete within " + bodyMs + " ms (limits.httpBodyTimeoutMs)");
            }
            if (msg instanceof LastHttpContent) {
                cancel(); // the hub is answering; the idle deadline starts when the answer is written
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r && r.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
            upgraded = true; // the WebSocket handshake answered: from now on the WebSocket's liveness rules
            cancel();
        } else if (!upgraded && msg instanceof LastHttpContent) {
            inRequest = false;
            promise = promise.unvoid();
            // The peer must take the answer within the idle time too: one that reads nothing is closed.
            ScheduledFuture<?> taken = ctx.executor().schedule(() -> ctx.close(), idleMs, TimeUnit.MILLISECONDS);
            promise.addListener(f -> {
                taken.cancel(false);
                if (!inRequest && !upgraded && ctx.channel().isActive()) {
                    arm(ctx, idleMs, "");
                }
            });
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void arm(ChannelHandlerContext ctx, long ms, String reason) {
        cancel();
        timer = ctx.executor().schedule(() -> expire(ctx, reason), ms, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ChannelHandlerContext ctx, String reason) {
        timer = null;
        if (reason.isEmpty() || !inRequest) {
            ctx.close(); // idle between requests
            return;
        }
        byte[] body = ("{\"error\":{\"status\":408,\"reason\":\"request_timeout\",\"message\":\"" + reason + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
