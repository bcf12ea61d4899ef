package dev.agentwire.server.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.hub.McpMethods;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * {@code /mcp}: MCP's Streamable HTTP transport (revisions 2025-03-26 to 2025-11-25) over the hub's own MCP methods.
 * A POST carries one JSON-RPC message: a notification or a response gets 202; a request gets its answer as JSON,
 * or, for {@code tools/call}, as an SSE stream that carries its progress first and ends after the answer. The
 * answer to {@code initialize} names the session ({@code Mcp-Session-Id}); every later request must send it (400
 * without, 404 for one that is unknown, ended or another identity's). A GET opens the session's stream for what
 * the hub sends on its own ({@code notifications/tools/list_changed}); with {@code Last-Event-ID} it resumes a
 * broken stream from there. DELETE ends the session. {@code MCP-Protocol-Version}, when sent, must be one the hub
 * speaks (400). The gate in front has checked Host, Origin (on every method here) and the secret (401 with
 * {@code WWW-Authenticate: Bearer}). One per HTTP connection; runs on its event loop and never waits.
 */
public final class McpHttpHandler extends ChannelInboundHandlerAdapter {

    /** The endpoint's path. */
    public static final String PATH = "/mcp";

    private static final String SESSION_HEADER = "Mcp-Session-Id";
    private static final String VERSION_HEADER = "MCP-Protocol-Version";

    private final McpHttpServer server;
    private final Function<Channel, Optional<TokenService.Grant>> grants;
    private final Function<Channel, String> addresses;

    public McpHttpHandler(
            McpHttpServer server,
            Function<Channel, Optional<TokenService.Grant>> grants,
            Function<Channel, String> addresses) {
        this.server = server;
        this.grants = grants;
        this.addresses = addresses;
    }

    /** Whether {@code path} is this endpoint's. */
    public static boolean handles(String path) {
        return path.equals(PATH);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        Optional<TokenService.Grant> grant = grants.apply(ctx.channel());
        if (grant.isEmpty()) {
            // The gate lets nothing here without a secret; this is a second lock on the same door.
            send(ctx, keepAlive, error(HttpResponseStatus.UNAUTHORIZED, ErrorCode.FORBIDDEN, "a token is required"));
            return;
        }
        String version = req.headers().get(VERSION_HEADER);
        if (version != null && !McpMethods.PROTOCOL_VERSIONS.contains(version)) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.BAD_REQUEST,
                            ErrorCode.INVALID_REQUEST,
                            "unsupported MCP-Protocol-Version " + version + "; this hub speaks "
                                    + McpMethods.PROTOCOL_VERSIONS));
            return;
        }
        HttpMethod m = req.method();
        if (m.equals(HttpMethod.POST)) {
            post(ctx, req, keepAlive, grant.get());
        } else if (m.equals(HttpMethod.GET)) {
            get(ctx, req, keepAlive, grant.get());
        } else if (m.equals(HttpMethod.DELETE)) {
            Optional<McpHttpSession> s = session(ctx, req, keepAlive, grant.get());
            if (s.isPresent()) {
                server.close(s.get());
                send(ctx, keepAlive, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
            }
        } else {
            FullHttpResponse r = error(
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    ErrorCode.INVALID_REQUEST,
                    "/mcp takes POST, GET and DELETE");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, POST, DELETE");
            send(ctx, keepAlive, r);
        }
    }

    private void post(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, TokenService.Grant grant) {
        String accept = req.headers().get(HttpHeaderNames.ACCEPT, "");
        if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.NOT_ACCEPTABLE,
                            ErrorCode.INVALID_REQUEST,
                            "a POST must accept both application/json and text/event-stream"));
            return;
        }
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                            ErrorCode.INVALID_REQUEST,
                            "a POST carries application/json"));
            return;
        }
        byte[] body = ByteBufUtil.getBytes(req.content());
        Parsed parsed = MessageCodec.parse(body);
        if (parsed instanceof Parsed.Invalid bad) {
            FullHttpResponse r = json(HttpResponseStatus.BAD_REQUEST, new Message.ErrorResponse(bad.id(), bad.error()));
            send(ctx, keepAlive, r);
            return;
        }
        if (parsed instanceof Parsed.Batch) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.BAD_REQUEST,
                            ErrorCode.INVALID_REQUEST,
                            "send one JSON-RPC message per POST (MCP 2025-06-18 has no batches)"));
            return;
        }
        Message message = ((Parsed.Valid) parsed).message();
        if (message instanceof Message.Request r && r.method().equals("initialize")) {
            initialize(ctx, req, keepAlive, grant, r, body.length);
            return;
        }
        Optional<McpHttpSession> found = session(ctx, req, keepAlive, grant);
        if (found.isEmpty()) {
            return;
        }
        McpHttpSession s = found.get();
        if (message instanceof Message.Request r) {
            answer(ctx, keepAlive, s, r, body.length, false);
        } else {
            s.deliver(message, body.length);
            send(ctx, keepAlive, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED));
        }
    }

    private void initialize(
            ChannelHandlerContext ctx,
            FullHttpRequest req,
            boolean keepAlive,
            TokenService.Grant grant,
            Message.Request init,
            int size) {
        if (req.headers().contains(SESSION_HEADER)) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.BAD_REQUEST,
                            ErrorCode.INVALID_REQUEST,
                            "initialize starts a session: send it without Mcp-Session-Id"));
            return;
        }
        Optional<McpHttpSession> opened;
        try {
            opened = server.open(grant, addresses.apply(ctx.channel()));
        } catch (HubException e) {
            send(
                    ctx,
                    keepAlive,
                    json(HttpResponseStatus.FORBIDDEN, new Message.ErrorResponse(init.id(), e.toRpcError())));
            return;
        }
        if (opened.isEmpty()) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.SERVICE_UNAVAILABLE,
                            ErrorCode.OVERLOADED,
                            "too many MCP sessions are open (mcp.maxSessions)"));
            return;
        }
        McpHttpSession s = opened.get();
        String asked = init.params() == null
                ? null
                : init.params().path("protocolVersion").asText(null);
        if (asked != null && McpMethods.PROTOCOL_VERSIONS.contains(asked)) {
            s.protocolVersion(asked);
        }
        List<String> session = new QueryStringDecoder(req.uri()).parameters().get("session");
        if (session == null || session.isEmpty()) {
            // Without ?session= it serves every session this identity may enter, under names that cannot collide.
            s.connection().set(dev.agentwire.core.sessions.SessionManager.ALL_SESSIONS, true);
            answer(ctx, keepAlive, s, init, size, true);
            return;
        }
        ObjectNode join = Json.mapper().createObjectNode().put("sessionId", session.get(0));
        s.internal(new Message.Request(Id.of("aw-mcp-join"), "sessions/join", join), answer -> {
            if (answer instanceof Message.ErrorResponse e) {
                server.close(s);
                send(
                        ctx,
                        keepAlive,
                        json(HttpResponseStatus.NOT_FOUND, new Message.ErrorResponse(init.id(), e.error())));
            } else {
                answer(ctx, keepAlive, s, init, size, true);
            }
        });
    }

    /** Sends {@code r} to the session; its answer comes back as JSON, or as an SSE stream for a tool call. */
    private void answer(
            ChannelHandlerContext ctx,
            boolean keepAlive,
            McpHttpSession s,
            Message.Request r,
            int size,
            boolean namesSession) {
        if (s.isPending(r.id())) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.BAD_REQUEST,
                            ErrorCode.INVALID_REQUEST,
                            "request id " + r.id() + " is already waiting for its answer in this session"));
            return;
        }
        if (!r.method().equals("tools/call")) {
            AtomicBoolean done = new AtomicBoolean();
            s.request(
                    r,
                    new McpHttpSession.Reply() {
                        @Override
                        public void answer(String json) {
                            if (done.compareAndSet(false, true)) {
                                FullHttpResponse resp = text(HttpResponseStatus.OK, "application/json", json);
                                if (namesSession) {
                                    resp.headers().set(SESSION_HEADER, s.id());
                                }
                                send(ctx, keepAlive, resp);
                            }
                        }

                        @Override
                        public void abandon() {
                            if (done.compareAndSet(false, true)) {
                                send(
                                        ctx,
                                        keepAlive,
                                        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED));
                            }
                        }
                    },
                    size);
            return;
        }
        SseStream stream = s.newStream();
        HttpResponse head = sseHead();
        ctx.writeAndFlush(head);
        stream.attach(ctx, 0);
        if (s.protocolVersion().compareTo("2025-11-25") >= 0) {
            stream.prime();
        }
        s.request(
                r,
                new McpHttpSession.Reply() {
                    @Override
                    public void answer(String json) {
                        stream.send(json);
                        stream.finish();
                    }

                    @Override
                    public void before(String json) {
                        stream.send(json);
                    }

                    @Override
                    public void abandon() {
                        stream.finish();
                    }
                },
                size);
    }

    private void get(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, TokenService.Grant grant) {
        if (!accepts(req.headers().get(HttpHeaderNames.ACCEPT, ""), "text/event-stream")) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.NOT_ACCEPTABLE,
                            ErrorCode.INVALID_REQUEST,
                            "a GET must accept text/event-stream"));
            return;
        }
        Optional<McpHttpSession> found = session(ctx, req, keepAlive, grant);
        if (found.isEmpty()) {
            return;
        }
        McpHttpSession s = found.get();
        String last = req.headers().get("Last-Event-ID");
        if (last != null) {
            int us = last.indexOf('_');
            SseStream resumed = null;
            long after = -1;
            if (us > 0
                    && last.substring(0, us).matches("[0-9]{1,9}")
                    && last.substring(us + 1).matches("[0-9]{1,18}")) {
                resumed = s.stream(Integer.parseInt(last.substring(0, us)));
                after = Long.parseLong(last.substring(us + 1));
            }
            if (resumed == null) {
                send(
                        ctx,
                        keepAlive,
                        error(
                                HttpResponseStatus.NOT_FOUND,
                                ErrorCode.INVALID_REQUEST,
                                "no stream of this session has event " + last));
                return;
            }
            ctx.writeAndFlush(sseHead());
            resumed.attach(ctx, after);
            return;
        }
        if (s.standalone() != null && s.standalone().attached()) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.CONFLICT,
                            ErrorCode.INVALID_REQUEST,
                            "this session's stream is already open"));
            return;
        }
        SseStream stream = s.newStream();
        ctx.writeAndFlush(sseHead());
        stream.attach(ctx, 0);
        if (s.protocolVersion().compareTo("2025-11-25") >= 0) {
            stream.prime();
        }
        s.standalone(stream);
    }

    /** The session the request names; otherwise it has been answered (400 without one, 404 for an unknown one). */
    private Optional<McpHttpSession> session(
            ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, TokenService.Grant grant) {
        String id = req.headers().get(SESSION_HEADER);
        if (id == null) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.BAD_REQUEST,
                            ErrorCode.INVALID_REQUEST,
                            "Mcp-Session-Id is required: send initialize first and then the id it answers with"));
            return Optional.empty();
        }
        Optional<McpHttpSession> s = server.find(id, grant);
        if (s.isEmpty()) {
            send(
                    ctx,
                    keepAlive,
                    error(
                            HttpResponseStatus.NOT_FOUND,
                            ErrorCode.NOT_FOUND,
                            "no MCP session " + id + " (it ended, or the hub restarted): initialize again"));
        }
        return s;
    }

    private static boolean accepts(String accept, String type) {
        String a = accept.toLowerCase(java.util.Locale.ROOT);
        return a.contains(type) || a.contains("*/*");
    }

    private static HttpResponse sseHead() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        HttpUtil.setTransferEncodingChunked(head, true);
        return head;
    }

    private static FullHttpResponse error(HttpResponseStatus status, ErrorCode code, String message) {
        return json(
                status,
                new Message.ErrorResponse(
                        Id.NULL, dev.agentwire.protocol.RpcError.of(code, message, "http_" + status.code())));
    }

    private static FullHttpResponse json(HttpResponseStatus status, Message m) {
        return text(status, "application/json", new String(MessageCodec.encode(m), StandardCharsets.UTF_8));
    }

    private static FullHttpResponse text(HttpResponseStatus status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
        if (!r.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        }
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }
}
