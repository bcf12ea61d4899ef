package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.protocol.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Decides who may open a WebSocket at {@code /ws}, before the handshake: a client with the hub's token
 * ({@code ?token=} or {@code Authorization: Bearer}), or a page whose {@code Origin} is the hub's own or in
 * {@code security.allowedOrigins}. Anyone else gets HTTP 403 with the reason.
 */
final class WebSocketGate extends ChannelInboundHandlerAdapter {

    private final TokenService tokens;
    private final List<String> allowedOrigins;

    WebSocketGate(TokenService tokens, List<String> allowedOrigins) {
        this.tokens = tokens;
        this.allowedOrigins = List.copyOf(allowedOrigins);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest req && isWebSocketPath(req.uri())) {
            Optional<String> refusal = refusal(ctx, req);
            if (refusal.isPresent()) {
                ReferenceCountUtil.release(req);
                forbid(ctx, refusal.get());
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Everything under /ws is gated, so no path variant slips past to the handshake. */
    static boolean isWebSocketPath(String uri) {
        return new QueryStringDecoder(uri).path().startsWith("/ws");
    }

    private Optional<String> refusal(ChannelHandlerContext ctx, FullHttpRequest req) {
        Optional<String> presented = presentedToken(req);
        if (presented.isPresent()) {
            try {
                ctx.channel().attr(Attributes.GRANT).set(tokens.verify(presented.get()));
                return Optional.empty();
            } catch (HubException e) {
                return Optional.of(e.getMessage());
            }
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return Optional.of(
                    "a WebSocket without an Origin needs the hub's token (?token= or Authorization: Bearer)");
        }
        int port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
        if (origin.equals("http://127.0.0.1:" + port)
                || origin.equals("http://localhost:" + port)
                || allowedOrigins.contains(origin)) {
            // A page of the hub's own or a trusted origin acts for the user who runs the hub.
            ctx.channel().attr(Attributes.GRANT).set(new TokenService.Grant("origin:" + origin, Scopes.ALL));
            return Optional.empty();
        }
        return Optional.of(
                "origin " + origin + " is not allowed (add it to security.allowedOrigins) and no token was given");
    }

    /** The token a request presents: {@code ?token=} or {@code Authorization: Bearer}. */
    static Optional<String> presentedToken(FullHttpRequest req) {
        List<String> q = new QueryStringDecoder(req.uri()).parameters().get("token");
        if (q != null && !q.isEmpty()) {
            return Optional.of(q.get(0));
        }
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(auth.substring(7).trim());
        }
        return Optional.empty();
    }

    private static void forbid(ChannelHandlerContext ctx, String reason) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("status", 403);
        error.put("reason", "forbidden");
        error.put("message", reason);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
