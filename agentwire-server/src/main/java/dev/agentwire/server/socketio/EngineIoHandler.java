package dev.agentwire.server.socketio;

import dev.agentwire.core.auth.TokenService;
import dev.agentwire.protocol.socketio.EnginePacket;
import dev.agentwire.protocol.socketio.SocketIoProtocolException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code /socket.io/} on the hub's HTTP port: Engine.IO v4's handshake, long-polling (GET to receive, POST to send)
 * and WebSocket (from the start, or as the upgrade of a polling session), handing packets to their
 * {@link EngineSession}. The gate in front has checked the request's Host and Origin; authentication is the
 * Socket.IO CONNECT's (the token in its {@code auth}, or the request's own secret). Requests for other paths
 * pass on. One per HTTP connection; runs on its event loop.
 */
public final class EngineIoHandler extends ChannelInboundHandlerAdapter {

    /** The path Socket.IO clients use by default. */
    public static final String PATH = "/socket.io/";

    /** Packets one polling request may carry. */
    static final int MAX_PACKETS_PER_POST = 1000;

    private final EngineServer server;
    private final Function<Channel, Optional<TokenService.Grant>> grants;
    private final Function<Channel, String> addresses;
    /** The session whose WebSocket this connection became, if it did. */
    private EngineSession webSocketOf;

    public EngineIoHandler(
            EngineServer server,
            Function<Channel, Optional<TokenService.Grant>> grants,
            Function<Channel, String> addresses) {
        this.server = server;
        this.grants = grants;
        this.addresses = addresses;
    }

    /** Whether {@code path} is Socket.IO's. */
    public static boolean handles(String path) {
        return path.equals("/socket.io") || path.startsWith(PATH);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (webSocketOf != null && msg instanceof WebSocketFrame frame) {
            try {
                frame(ctx, frame);
            } finally {
                ReferenceCountUtil.release(frame);
            }
            return;
        }
        if (msg instanceof FullHttpRequest req && handles(new QueryStringDecoder(req.uri()).path())) {
            try {
                request(ctx, req);
            } finally {
                ReferenceCountUtil.release(req);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void request(ChannelHandlerContext ctx, FullHttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        EngineHttp.Reply reply = new EngineHttp.Reply(ctx, HttpUtil.isKeepAlive(req), origin);
        if (req.method().equals(HttpMethod.OPTIONS)) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST");
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "content-type, authorization");
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            reply.send(r);
            return;
        }
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String eio = param(q, "EIO");
        String transport = param(q, "transport");
        String sid = param(q, "sid");
        if (!"4".equals(eio)) {
            reply.error(EngineHttp.Error.UNSUPPORTED_PROTOCOL_VERSION, "this hub speaks Engine.IO 4 (EIO=4)");
            return;
        }
        if ("websocket".equals(transport)) {
            webSocket(ctx, req, reply, sid);
        } else if ("polling".equals(transport)) {
            polling(ctx, req, reply, sid);
        } else {
            reply.error(EngineHttp.Error.UNKNOWN_TRANSPORT, "transport must be polling or websocket");
        }
    }

    private void polling(ChannelHandlerContext ctx, FullHttpRequest req, EngineHttp.Reply reply, String sid) {
        if (sid == null) {
            if (!req.method().equals(HttpMethod.GET)) {
                reply.error(EngineHttp.Error.BAD_HANDSHAKE_METHOD, "a handshake is a GET");
                return;
            }
            Optional<EngineSession> s = open(ctx, reply);
            s.ifPresent(session -> reply.payload(EnginePacket.of(EnginePacket.Type.OPEN, session.handshake(true))
                    .encode()));
            return;
        }
        Optional<EngineSession> found = server.find(sid);
        if (found.isEmpty()) {
            reply.error(EngineHttp.Error.UNKNOWN_SID, null);
            return;
        }
        EngineSession session = found.get();
        if (!session.polling()) {
            reply.error(EngineHttp.Error.BAD_REQUEST, "this session was upgraded to a WebSocket");
            return;
        }
        if (req.method().equals(HttpMethod.GET)) {
            session.poll(reply);
        } else if (req.method().equals(HttpMethod.POST)) {
            int size = req.content().readableBytes();
            if (size > server.settings().maxPayload()) {
                reply.error(
                        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        EngineHttp.Error.BAD_REQUEST,
                        "a body of " + size + " bytes is over maxPayload ("
                                + server.settings().maxPayload() + ")");
                session.close("payload too large");
                return;
            }
            List<EnginePacket> packets;
            try {
                packets = EnginePacket.decodePayload(
                        req.content().toString(StandardCharsets.UTF_8), MAX_PACKETS_PER_POST);
            } catch (SocketIoProtocolException e) {
                reply.error(EngineHttp.Error.BAD_REQUEST, e.getMessage());
                session.protocolError(e.getMessage());
                return;
            }
            reply.ok();
            session.received(packets, null);
        } else {
            reply.error(EngineHttp.Error.BAD_REQUEST, "polling takes GET and POST");
        }
    }

    private void webSocket(ChannelHandlerContext ctx, FullHttpRequest req, EngineHttp.Reply reply, String sid) {
        if (!req.method().equals(HttpMethod.GET)
                || !req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            reply.error(EngineHttp.Error.BAD_REQUEST, "the websocket transport is a GET with Upgrade: websocket");
            return;
        }
        EngineSession session;
        if (sid != null) {
            Optional<EngineSession> found = server.find(sid);
            if (found.isEmpty()) {
                reply.error(EngineHttp.Error.UNKNOWN_SID, null);
                return;
            }
            session = found.get();
            if (!handshake(ctx, req) || !session.probe(ctx.channel())) {
                ctx.close();
                return;
            }
        } else {
            Optional<EngineSession> s = open(ctx, reply);
            if (s.isEmpty()) {
                return;
            }
            session = s.get();
            if (!handshake(ctx, req)) {
                session.close("websocket handshake failed");
                return;
            }
            session.useWebSocket(ctx.channel());
            session.send(EnginePacket.of(EnginePacket.Type.OPEN, session.handshake(false)));
        }
        webSocketOf = session;
    }

    private boolean handshake(ChannelHandlerContext ctx, FullHttpRequest req) {
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + PATH;
        WebSocketServerHandshaker h = new WebSocketServerHandshakerFactory(
                        url, null, false, server.settings().maxPayload())
                .newHandshaker(req);
        if (h == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return false;
        }
        h.handshake(ctx.channel(), req);
        ctx.pipeline()
                .addBefore(
                        ctx.name(),
                        "socketio-ws-aggregator",
                        new WebSocketFrameAggregator(server.settings().maxPayload()));
        return true;
    }

    private Optional<EngineSession> open(ChannelHandlerContext ctx, EngineHttp.Reply reply) {
        Optional<EngineSession> s =
                server.open(ctx.channel(), addresses.apply(ctx.channel()), grants.apply(ctx.channel()));
        if (s.isEmpty()) {
            reply.error(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    EngineHttp.Error.BAD_REQUEST,
                    "too many Socket.IO sessions are waiting to connect (socketio.maxPending)");
        }
        return s;
    }

    private void frame(ChannelHandlerContext ctx, WebSocketFrame frame) {
        EngineSession session = webSocketOf;
        if (frame instanceof TextWebSocketFrame t) {
            try {
                session.received(List.of(EnginePacket.decode(t.text())), ctx.channel());
            } catch (SocketIoProtocolException e) {
                session.protocolError(e.getMessage());
            }
        } else if (frame instanceof BinaryWebSocketFrame b) {
            session.received(List.of(EnginePacket.binary(ByteBufUtil.getBytes(b.content()))), ctx.channel());
        } else if (frame instanceof PingWebSocketFrame p) {
            ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame c) {
            ctx.writeAndFlush(new CloseWebSocketFrame(c.statusCode(), c.reasonText()))
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (webSocketOf != null) {
            webSocketOf.webSocketClosed(ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    private static String param(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
