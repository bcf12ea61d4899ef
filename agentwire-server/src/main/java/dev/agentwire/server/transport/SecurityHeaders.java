package dev.agentwire.server.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Adds the browser-facing safety headers to every HTTP response the hub writes: {@code X-Content-Type-Options:
 * nosniff} on all; on HTML, {@code X-Frame-Options: DENY}, {@code Referrer-Policy: no-referrer} and, unless the
 * page brought its own, a Content-Security-Policy that loads nothing and cannot be framed. Stateless and shared.
 */
@ChannelHandler.Sharable
final class SecurityHeaders extends ChannelOutboundHandlerAdapter {

    static final SecurityHeaders INSTANCE = new SecurityHeaders();

    /** For the hub's small HTML notes (login pages): inline style only. */
    static final String NOTE_POLICY =
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private SecurityHeaders() {}

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r) {
            HttpHeaders h = r.headers();
            h.set("X-Content-Type-Options", "nosniff");
            String type = h.get(HttpHeaderNames.CONTENT_TYPE);
            if (type != null && type.startsWith("text/html")) {
                h.set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
                h.set("Referrer-Policy", "no-referrer");
                if (!h.contains(HttpHeaderNames.CONTENT_SECURITY_POLICY)) {
                    h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, NOTE_POLICY);
                }
            }
        }
        ctx.write(msg, promise);
    }
}
