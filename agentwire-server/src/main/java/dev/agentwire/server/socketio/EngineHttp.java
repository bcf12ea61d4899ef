package dev.agentwire.server.socketio;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Engine.IO's HTTP answers: a polling body, {@code ok} for a POST, and its errors ({@code {"code", "message"}}
 * with the protocol's codes), each with the CORS headers for an allowed Origin (the gate refused the others).
 * Stateless.
 */
final class EngineHttp {

    /** Engine.IO's error codes. */
    enum Error {
        UNKNOWN_TRANSPORT(0, "Transport unknown"),
        UNKNOWN_SID(1, "Session ID unknown"),
        BAD_HANDSHAKE_METHOD(2, "Bad handshake method"),
        BAD_REQUEST(3, "Bad request"),
        FORBIDDEN(4, "Forbidden"),
        UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version");

        final int code;
        final String message;

        Error(int code, String message) {
            this.code = code;
            this.message = message;
        }
    }

    private EngineHttp() {}

    /** One request's answer: where it goes and whether the connection stays open after it. */
    record Reply(ChannelHandlerContext ctx, boolean keepAlive, String origin) {

        void text(HttpResponseStatus status, String contentType, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r =
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            send(r);
        }

        void payload(String body) {
            text(HttpResponseStatus.OK, "text/plain; charset=UTF-8", body);
        }

        void ok() {
            text(HttpResponseStatus.OK, "text/html", "ok");
        }

        void error(HttpResponseStatus status, Error e, String detail) {
            ObjectNode body =
                    Json.mapper().createObjectNode().put("code", e.code).put("message", e.message);
            if (detail != null) {
                body.put("detail", detail);
            }
            text(status, "application/json", body.toString());
        }

        void error(Error e, String detail) {
            error(HttpResponseStatus.BAD_REQUEST, e, detail);
        }

        void send(FullHttpResponse r) {
            if (origin != null) {
                r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
                r.headers().set(HttpHeaderNames.VARY, "Origin");
            }
            HttpUtil.setKeepAlive(r, keepAlive);
            var f = ctx.writeAndFlush(r);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
