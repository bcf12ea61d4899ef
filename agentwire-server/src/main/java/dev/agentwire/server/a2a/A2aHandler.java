package dev.agentwire.server.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.protocol.RpcError;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A2A on the hub's HTTP port: {@code GET /a2a/<service>/.well-known/agent-card.json} (a service's card),
 * {@code GET /.well-known/agent-card.json} and {@code /a2a/.well-known/agent-card.json} (the hub's card, listing the
 * services), and {@code POST /a2a/<service>}, A2A's JSON-RPC binding in both spellings: 1.0's {@code SendMessage},
 * {@code SendStreamingMessage} (SSE), {@code GetTask}, {@code ListTasks}, {@code CancelTask}, and 0.3's
 * {@code message/send}, {@code message/stream}, {@code tasks/get}, {@code tasks/cancel}. {@code A2A-Version}, when
 * sent, must be 0.3 or 1.0. The gate in front has checked Host, Origin and the secret, which must hold
 * {@code services:request} (each message is one {@code services/request}). One per HTTP connection; never waits.
 */
public final class A2aHandler extends ChannelInboundHandlerAdapter {

    /** Bytes a stream's connection may hold unread before it is closed as a slow consumer. */
    static final long MAX_BEHIND_BYTES = 8L * 1024 * 1024;

    private static final Pattern CARD = Pattern.compile("/a2a/([A-Za-z0-9_.-]{1,64})/\\.well-known/agent-card\\.json");
    private static final Pattern ENDPOINT = Pattern.compile("/a2a/([A-Za-z0-9_.-]{1,64})/?");

    /** One JSON-RPC method of the binding. */
    private interface Method {
        void handle(Exchange x);
    }

    /** One request being answered. */
    private record Exchange(
            ChannelHandlerContext ctx,
            boolean keepAlive,
            TokenService.Grant grant,
            String address,
            String service,
            Id id,
            JsonNode params) {}

    private final A2aServer server;
    private final Function<Channel, Optional<TokenService.Grant>> grants;
    private final Function<Channel, String> addresses;
    private final Map<String, Method> methods;

    public A2aHandler(
            A2aServer server,
            Function<Channel, Optional<TokenService.Grant>> grants,
            Function<Channel, String> addresses) {
        this.server = server;
        this.grants = grants;
        this.addresses = addresses;
        this.methods = Map.of(
                "SendMessage", x -> send(x, A2aDialect.V1_0, false),
                "SendStreamingMessage", x -> send(x, A2aDialect.V1_0, true),
                "GetTask", x -> get(x, A2aDialect.V1_0),
                "ListTasks", this::list,
                "CancelTask", x -> cancel(x, A2aDialect.V1_0),
                "message/send", x -> send(x, A2aDialect.V0_3, false),
                "message/stream", x -> send(x, A2aDialect.V0_3, true),
                "tasks/get", x -> get(x, A2aDialect.V0_3),
                "tasks/cancel", x -> cancel(x, A2aDialect.V0_3));
    }

    /** Whether {@code path} is A2A's. */
    public static boolean handles(String path) {
        return path.startsWith("/a2a/") || path.equals("/.well-known/agent-card.json");
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
        String path = new QueryStringDecoder(req.uri()).path();
        Optional<TokenService.Grant> grant = grants.apply(ctx.channel());
        if (grant.isEmpty()) {
            send(ctx, keepAlive, json(HttpResponseStatus.UNAUTHORIZED, error(Id.NULL, -32005, "a token is required")));
            return;
        }
        String base = "http://" + req.headers().get(HttpHeaderNames.HOST, "127.0.0.1");
        Matcher card = CARD.matcher(path);
        if (req.method().equals(HttpMethod.GET)) {
            if (path.equals("/.well-known/agent-card.json") || path.equals("/a2a/.well-known/agent-card.json")) {
                send(ctx, keepAlive, json(HttpResponseStatus.OK, server.hubCard(base)));
            } else if (card.matches()) {
                Optional<ObjectNode> c = server.card(card.group(1), base);
                send(
                        ctx,
                        keepAlive,
                        c.isPresent()
                                ? json(HttpResponseStatus.OK, c.get())
                                : json(
                                        HttpResponseStatus.NOT_FOUND,
                                        error(
                                                Id.NULL,
                                                -32001,
                                                "no service " + card.group(1) + " has an instance now")));
            } else {
                send(
                        ctx,
                        keepAlive,
                        json(HttpResponseStatus.NOT_FOUND, error(Id.NULL, -32601, "no A2A endpoint at " + path)));
            }
            return;
        }
        Matcher endpoint = ENDPOINT.matcher(path);
        if (!req.method().equals(HttpMethod.POST) || !endpoint.matches()) {
            FullHttpResponse r = json(
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    error(Id.NULL, -32600, "A2A takes GET of a card and POST to /a2a/<service>"));
            r.headers().set(HttpHeaderNames.ALLOW, "GET, POST");
            send(ctx, keepAlive, r);
            return;
        }
        String version = req.headers().get("A2A-Version");
        if (version != null && !version.isEmpty() && !version.equals("0.3") && !version.equals("1.0")) {
            send(
                    ctx,
                    keepAlive,
                    json(
                            HttpResponseStatus.OK,
                            error(
                                    Id.NULL,
                                    A2aServer.VERSION_NOT_SUPPORTED,
                                    "A2A-Version " + version + " is not supported: 0.3 or 1.0")));
            return;
        }
        Parsed parsed = MessageCodec.parse(ByteBufUtil.getBytes(req.content()));
        if (parsed instanceof Parsed.Invalid bad) {
            send(
                    ctx,
                    keepAlive,
                    json(
                            HttpResponseStatus.BAD_REQUEST,
                            error(bad.id(), bad.error().code(), bad.error().message())));
            return;
        }
        if (!(parsed instanceof Parsed.Valid v) || !(v.message() instanceof Message.Request r)) {
            send(
                    ctx,
                    keepAlive,
                    json(HttpResponseStatus.BAD_REQUEST, error(Id.NULL, -32600, "send one JSON-RPC request")));
            return;
        }
        Method m = methods.get(r.method());
        if (m == null) {
            send(
                    ctx,
                    keepAlive,
                    json(
                            HttpResponseStatus.OK,
                            error(
                                    r.id(),
                                    -32601,
                                    "A2A has no method " + r.method() + " here: "
                                            + String.join(", ", new java.util.TreeSet<>(methods.keySet())))));
            return;
        }
        JsonNode params = r.params() == null ? Json.mapper().createObjectNode() : r.params();
        m.handle(new Exchange(
                ctx, keepAlive, grant.get(), addresses.apply(ctx.channel()), endpoint.group(1), r.id(), params));
    }

    private void send(Exchange x, A2aDialect dialect, boolean stream) {
        JsonNode message = x.params().path("message");
        if (!message.isObject()) {
            answer(x, error(x.id(), -32602, "params.message is required: a Message with parts"));
            return;
        }
        ObjectNode neutral = dialect.neutralMessage(message);
        if (neutral.path("parts").isEmpty()) {
            answer(x, error(x.id(), -32005, "the message has no text or data part (files are not supported)"));
            return;
        }
        if (!stream) {
            try {
                server.send(
                                x.grant(),
                                x.address(),
                                x.service(),
                                dialect,
                                neutral,
                                dialect.immediate(x.params()),
                                A2aServer.Events.NONE)
                        .whenComplete((t, e) -> answer(
                                x,
                                e != null
                                        ? failure(x.id(), e)
                                        : result(x.id(), dialect.sendResult(dialect.task(t, -1)))));
            } catch (HubException e) {
                answer(x, failure(x.id(), e));
            }
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        HttpUtil.setTransferEncodingChunked(head, true);
        x.ctx().writeAndFlush(head);
        Object lock = new Object();
        A2aServer.Events events = new A2aServer.Events() {
            @Override
            public void event(JsonNode result) {
                synchronized (lock) {
                    String data = "data: " + result(x.id(), result) + "\n\n";
                    x.ctx().writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(data, StandardCharsets.UTF_8)));
                    io.netty.channel.ChannelOutboundBuffer unread =
                            x.ctx().channel().unsafe().outboundBuffer();
                    if (unread != null && unread.totalPendingWriteBytes() > MAX_BEHIND_BYTES) {
                        // A client that does not read loses its stream, not the task: GetTask still answers.
                        x.ctx().close();
                    }
                }
            }

            @Override
            public void end() {
                synchronized (lock) {
                    x.ctx().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                }
            }
        };
        try {
            server.send(x.grant(), x.address(), x.service(), dialect, neutral, false, events);
        } catch (HubException e) {
            String data = "data: " + failure(x.id(), e) + "\n\n";
            x.ctx().write(new DefaultHttpContent(Unpooled.copiedBuffer(data, StandardCharsets.UTF_8)));
            events.end();
        }
    }

    private void get(Exchange x, A2aDialect dialect) {
        String id = x.params().path("id").asText(null);
        if (id == null) {
            answer(x, error(x.id(), -32602, "params.id (the task's) is required"));
            return;
        }
        int history = x.params().path("historyLength").canConvertToInt()
                ? x.params().get("historyLength").asInt()
                : -1;
        server.task(id, x.grant().subject(), x.service())
                .whenComplete((t, e) -> answer(
                        x,
                        e != null
                                ? failure(x.id(), e)
                                : t.isEmpty()
                                        ? error(x.id(), A2aServer.TASK_NOT_FOUND, "no task " + id)
                                        : result(x.id(), dialect.task(t.get(), history))));
    }

    private void cancel(Exchange x, A2aDialect dialect) {
        String id = x.params().path("id").asText(null);
        if (id == null) {
            answer(x, error(x.id(), -32602, "params.id (the task's) is required"));
            return;
        }
        server.cancel(id, x.grant().subject(), x.service())
                .whenComplete((t, e) ->
                        answer(x, e != null ? failure(x.id(), e) : result(x.id(), dialect.task(t, -1))));
    }

    private void list(Exchange x) {
        JsonNode p = x.params();
        String context = p.path("contextId").asText(null);
        String status = p.path("status").asText("");
        String state = status.startsWith("TASK_STATE_") && !status.equals("TASK_STATE_UNSPECIFIED")
                ? status.substring("TASK_STATE_".length())
                        .toLowerCase(java.util.Locale.ROOT)
                        .replace('_', '-')
                : null;
        int size = p.path("pageSize").canConvertToInt()
                ? Math.max(1, Math.min(100, p.get("pageSize").asInt()))
                : 50;
        server.list(x.grant().subject(), x.service(), context, state, size).whenComplete((tasks, e) -> {
            if (e != null) {
                answer(x, failure(x.id(), e));
                return;
            }
            ObjectNode out = Json.mapper().createObjectNode();
            var arr = out.putArray("tasks");
            int history = p.path("historyLength").canConvertToInt()
                    ? p.get("historyLength").asInt()
                    : -1;
            tasks.forEach(t -> arr.add(A2aDialect.V1_0.task(t, history)));
            out.put("nextPageToken", "");
            out.put("pageSize", size);
            out.put("totalSize", tasks.size());
            answer(x, result(x.id(), out));
        });
    }

    private static ObjectNode result(Id id, JsonNode result) {
        ObjectNode r = Json.mapper().createObjectNode().put("jsonrpc", "2.0");
        putId(r, id);
        r.set("result", result);
        return r;
    }

    private static ObjectNode error(Id id, int code, String message) {
        ObjectNode r = Json.mapper().createObjectNode().put("jsonrpc", "2.0");
        putId(r, id);
        r.putObject("error").put("code", code).put("message", message);
        return r;
    }

    private static ObjectNode failure(Id id, Throwable e) {
        Throwable cause =
                e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof A2aServer.A2aError a) {
            return error(id, a.code, a.getMessage());
        }
        if (cause instanceof HubException h) {
            RpcError r = h.toRpcError();
            return error(id, r.code(), r.message());
        }
        return error(id, -32603, "internal error: " + cause.getMessage());
    }

    private static void putId(ObjectNode r, Id id) {
        if (id instanceof Id.Num n) {
            r.put("id", n.value());
        } else if (id instanceof Id.Str s) {
            r.put("id", s.value());
        } else {
            r.putNull("id");
        }
    }

    private static void answer(Exchange x, ObjectNode body) {
        send(x.ctx(), x.keepAlive(), json(HttpResponseStatus.OK, body));
    }

    private static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
    }
}
