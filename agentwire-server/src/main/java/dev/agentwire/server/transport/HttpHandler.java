package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.Supplier;

/**
 * The hub's open HTTP endpoints on the TCP port: {@code GET /health} and the web assets (each page with its
 * Content-Security-Policy); anything else is a JSON 404. {@link HttpGate} has let the request in.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final Supplier<ObjectNode> health;
    private final StaticFiles files;

    HttpHandler(Supplier<ObjectNode> health, StaticFiles files) {
        this.health = health;
        this.files = files;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        FullHttpResponse response;
        if (!request.decoderResult().isSuccess()) {
            response = error(HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed HTTP request");
        } else if (path.equals("/health")) {
            response =
                    request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD)
                            ? json(HttpResponseStatus.OK, health(ctx))
                            : error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "use GET /health");
        } else if (files.find(path).isPresent() && request.method().equals(HttpMethod.GET)) {
            StaticFiles.Asset a = files.find(path).get();
            response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(a.bytes()));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType());
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, a.bytes().length);
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            if (a.policy().isPresent()) {
                response.headers()
                        .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, a.policy().get());
            }
        } else {
            response = error(HttpResponseStatus.NOT_FOUND, "not_found", "no endpoint at " + path);
        }
        boolean keepAlive =
                HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        HttpUtil.setKeepAlive(response, keepAlive);
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * {@code /health}: open to anyone, but the LLM router's spend (the seed's {@code llm_router}) only for a request
     * whose secret holds the {@code router} scope, as {@code router/budget} needs; others see the provider count.
     */
    private ObjectNode health(ChannelHandlerContext ctx) {
        ObjectNode h = health.get();
        var grant = ctx.channel().attr(Attributes.GRANT).get();
        if (grant == null || !dev.agentwire.core.auth.Scopes.allows(grant.scopes(), "router")) {
            h.putObject("llm_router").put("detail", "send a token with the router scope for the day's spend");
        }
        return h;
    }

    private static FullHttpResponse error(HttpResponseStatus status, String reason, String message) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("status", status.code());
        error.put("reason", reason);
        error.put("message", message);
        return json(status, body);
    }

    private static FullHttpResponse json(HttpResponseStatus status, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = Json.mapper().writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }
}
