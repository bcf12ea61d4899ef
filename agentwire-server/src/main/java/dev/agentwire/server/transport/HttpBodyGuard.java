package dev.agentwire.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Keeps a stranger from making the hub buffer a large body: the aggregator holds up to
 * {@code limits.maxMessageBytes} of a request before {@link HttpGate} sees it, so a request head that carries no
 * credential at all (no {@code Authorization}, no {@code token=}, no cookie) may announce at most
 * {@value #MAX_ANONYMOUS_BODY} bytes of body, and not a chunked one; else 401 and a close, before any of the body
 * is read. Requests with a credential go on to the gate, which checks it. Runs on the event loop, between the
 * HTTP codec and the aggregator.
 */
final class HttpBodyGuard extends ChannelInboundHandlerAdapter {

    /** The largest body a request without any credential may send (login and the open pages need none). */
    static final int MAX_ANONYMOUS_BODY = 64 * 1024;

    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req && !carriesCredential(req)) {
            long length = HttpUtil.getContentLength(req, -1L);
            if (HttpUtil.isTransferEncodingChunked(req) || length > MAX_ANONYMOUS_BODY) {
                refused = true;
                ReferenceCountUtil.release(msg);
                refuse(ctx, HttpUtil.isTransferEncodingChunked(req) ? -1 : length);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean carriesCredential(HttpRequest req) {
        return req.headers().contains(HttpHeaderNames.AUTHORIZATION)
                || req.headers().contains(HttpHeaderNames.COOKIE)
                || req.uri().contains("token=");
    }

    private static void refuse(ChannelHandlerContext ctx, long length) {
        String message = (length < 0 ? "a chunked body" : "a body of " + length + " bytes")
                + " needs a secret (Authorization: Bearer TOKEN, ?token=, or a browser login); without one a request"
                + " may send at most " + MAX_ANONYMOUS_BODY + " bytes";
        byte[] body = ("{\"error\":{\"status\":401,\"reason\":\"unauthenticated\",\"message\":\"" + message + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"agentwire\"");
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
