package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Outbound;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.protocol.Envelope;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.protocol.RpcError;
import dev.agentwire.protocol.Text;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
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
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;

/**
 * The HTTP API on the TCP port ({@code /api/*} and {@code /metrics}; {@link HttpGate} has checked the token or
 * browser login and left its grant on the channel). Each API request becomes
 * one hub call on a core connection that lives as long as the HTTP connection (so keep-alive clients share
 * its rate limit), and its answer becomes the HTTP response: the result as JSON, an error as
 * {@code {"error": {status, code, reason, message, data}}} with the matching status, or for
 * {@code POST /api/services/NAME/ACTION} the orchestrator seed's envelope. One request at a time per
 * connection: reading pauses until the answer is written, so pipelined requests are answered in order.
 */
final class ApiHandler extends ChannelInboundHandlerAdapter implements Outbound {

    private final HubCore core;
    private final Supplier<String> metrics;
    private final AtomicLong ids = new AtomicLong();
    private ChannelHandlerContext ctx;
    private Connection connection;
    private volatile Exchange current;
    /** Requests read and not yet answered; event loop only. */
    private int unanswered;
    /** The peer stopped sending: close once every request read is answered; event loop only. */
    private boolean closeWhenAnswered;

    /** The request being answered. */
    private record Exchange(long id, boolean keepAlive, boolean envelope, JsonNode requestId, long startedNanos) {}

    ApiHandler(HubCore core, Supplier<String> metrics) {
        this.core = core;
        this.metrics = metrics;
    }

    /** Whether this handler answers {@code path}. */
    static boolean handles(String path) {
        return path.startsWith("/api/") || path.equals("/metrics");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req) || !handles(new QueryStringDecoder(req.uri()).path())) {
            ctx.fireChannelRead(msg);
            return;
        }
        unanswered++; // every request gets exactly one write()
        try {
            handle(req);
        } finally {
            ReferenceCountUtil.release(req);
        }
    }

    /** A peer that stops sending after a request ({@code printf 'POST ...' | nc -N}) still gets the answer. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && unanswered > 0) {
            closeWhenAnswered = true;
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void handle(FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        String path = query.path();
        // HttpGate checked the secret (token or browser login) and left what it grants; no grant, no call.
        TokenService.Grant grant = ctx.channel().attr(Attributes.GRANT).get();
        if (grant == null) {
            FullHttpResponse r = error(
                    HttpResponseStatus.UNAUTHORIZED,
                    apiError(ErrorCode.FORBIDDEN, "unauthenticated", path + " needs a token or a browser login"));
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"agentwire\"");
            write(r, keepAlive);
            return;
        }
        if (path.equals("/metrics")) {
            // Counters of every method and connection: the owner's (admin), like hub/status's detail.
            if (!dev.agentwire.core.auth.Scopes.allows(grant.scopes(), "admin")) {
                var data = HubException.reasonData("missing_scope");
                data.put("scope", "admin");
                write(
                        error(
                                HttpResponseStatus.FORBIDDEN,
                                HubException.withData(ErrorCode.FORBIDDEN, "/metrics needs the scope admin", data)
                                        .toRpcError()),
                        keepAlive);
                return;
            }
            write(metrics(req), keepAlive);
            return;
        }
        List<ApiRoutes.Route> onPath = ApiRoutes.ROUTES.stream()
                .filter(r -> r.path().matcher(path).matches())
                .toList();
        Optional<ApiRoutes.Route> route =
                onPath.stream().filter(r -> r.method().equals(req.method())).findFirst();
        if (onPath.isEmpty()) {
            write(
                    error(
                            HttpResponseStatus.NOT_FOUND,
                            apiError(ErrorCode.NOT_FOUND, "not_found", "no API at " + path)),
                    keepAlive);
            return;
        }
        if (route.isEmpty()) {
            FullHttpResponse r = error(
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    apiError(
                            ErrorCode.INVALID_REQUEST,
                            "method_not_allowed",
                            req.method() + " " + path + " is not served; use "
                                    + onPath.get(0).method()));
            r.headers().set(HttpHeaderNames.ALLOW, onPath.get(0).method().name());
            write(r, keepAlive);
            return;
        }
        ObjectNode params;
        try {
            JsonNode body = body(req, route.get());
            Matcher m = route.get().path().matcher(path);
            m.matches();
            params = route.get().params().apply(m, new ApiRoutes.Request(query, body));
        } catch (ApiRoutes.BadRequest e) {
            write(
                    error(
                            HttpResponseStatus.BAD_REQUEST,
                            apiError(ErrorCode.INVALID_PARAMS, "bad_request", e.getMessage())),
                    keepAlive);
            return;
        } catch (IOException e) {
            write(
                    error(
                            HttpResponseStatus.BAD_REQUEST,
                            apiError(ErrorCode.PARSE_ERROR, "parse_error", notJson(req, e))),
                    keepAlive);
            return;
        }
        if (connection == null) {
            Peer tcp = ctx.channel().attr(Attributes.PEER).get();
            connection = core.open(Peer.remote(Transport.HTTP, tcp == null ? "?" : tcp.address()), this);
            connection.introduce("http", "http");
        }
        try {
            core.authenticate(connection, grant);
        } catch (HubException e) {
            write(error(HttpStatuses.of(e.toRpcError().code(), e.toRpcError().reason()), e.toRpcError()), false);
            return;
        }
        String requestIdHeader = req.headers().get("X-Request-Id");
        long id = ids.incrementAndGet();
        current = new Exchange(
                id,
                keepAlive,
                route.get().envelope(),
                requestIdHeader == null
                        ? Json.mapper().nullNode()
                        : Json.mapper().getNodeFactory().textNode(requestIdHeader),
                System.nanoTime());
        ctx.channel().config().setAutoRead(false); // the next request waits for this answer
        connection.receive(
                new Parsed.Valid(new Message.Request(Id.of(id), route.get().call(), params)),
                req.content().readableBytes());
    }

    private static JsonNode body(FullHttpRequest req, ApiRoutes.Route route) throws IOException {
        if (!req.content().isReadable()) {
            if (route.needsBody()) {
                throw new ApiRoutes.BadRequest(route.method() + " "
                        + route.path().pattern().replace("\\Q", "").replace("\\E", "") + " needs a JSON body");
            }
            return Json.mapper().nullNode();
        }
        try (ByteBufInputStream in = new ByteBufInputStream(req.content().duplicate())) {
            JsonNode node = Json.mapper().readTree((java.io.InputStream) in);
            return node == null ? Json.mapper().nullNode() : node;
        }
    }

    /**
     * Why a body is not JSON. A body that is not JSON because it is a form ({@code curl -d key=value},
     * {@code --data-urlencode}, {@code -F}) says so: the API reads JSON whatever the Content-Type claims (curl's
     * {@code -d '{...}'} without {@code -H} claims a form), and does not decode forms.
     */
    static String notJson(FullHttpRequest req, IOException e) {
        String type =
                String.valueOf(req.headers().get(HttpHeaderNames.CONTENT_TYPE)).toLowerCase(java.util.Locale.ROOT);
        String send = ": send the JSON itself, e.g. curl -H 'Content-Type: application/json' -d '{\"key\": \"value\"}'";
        if (type.startsWith("application/x-www-form-urlencoded")) {
            return "the body is not JSON but form-encoded (key=value, as curl -d key=value and --data-urlencode send)"
                    + send;
        }
        if (type.startsWith("multipart/form-data")) {
            return "the body is not JSON but multipart/form-data (as curl -F sends)" + send;
        }
        return "the body is not JSON: " + Text.firstLine(e.getMessage());
    }

    private FullHttpResponse metrics(FullHttpRequest req) {
        if (!req.method().equals(HttpMethod.GET)) {
            return error(
                    HttpResponseStatus.METHOD_NOT_ALLOWED,
                    apiError(ErrorCode.INVALID_REQUEST, "method_not_allowed", "use GET /metrics"));
        }
        byte[] text = metrics.get().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(text));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, text.length);
        return r;
    }

    // --- Outbound: the call's answer becomes the HTTP response ----------------------------------------------

    @Override
    public void send(Message message) {
        Exchange ex = current;
        if (ex == null) {
            return;
        }
        if (message instanceof Message.Response res && res.id().equals(Id.of(ex.id()))) {
            current = null;
            write(
                    ex.envelope()
                            ? json(
                                    HttpResponseStatus.OK,
                                    Envelope.success(ex.requestId(), res.result(), Instant.now(), elapsedMs(ex)))
                            : json(HttpResponseStatus.OK, res.result()),
                    ex.keepAlive());
        } else if (message instanceof Message.ErrorResponse err && err.id().equals(Id.of(ex.id()))) {
            current = null;
            RpcError e = err.error();
            HttpResponseStatus status = HttpStatuses.of(e.code(), e.reason());
            FullHttpResponse r;
            if (ex.envelope()) {
                String code = e.reason().isEmpty() ? "ERROR" : e.reason().toUpperCase(java.util.Locale.ROOT);
                JsonNode details = e.data().has("details") ? e.data().get("details") : withoutReason(e.data());
                r = json(
                        status,
                        Envelope.error(ex.requestId(), code, e.message(), details, Instant.now(), elapsedMs(ex)));
            } else {
                r = error(status, e);
            }
            long retryMs = e.data().path("retryAfterMs").asLong(-1);
            if (retryMs >= 0) {
                r.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, (retryMs + 999) / 1000)));
            }
            write(r, ex.keepAlive());
        }
        // Notifications (events, list changes) have no place in a request/response exchange.
    }

    private static JsonNode withoutReason(JsonNode data) {
        if (!data.isObject()) {
            return data;
        }
        ObjectNode copy = ((ObjectNode) data).deepCopy();
        copy.remove("reason");
        return copy;
    }

    private static long elapsedMs(Exchange ex) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ex.startedNanos());
    }

    @Override
    public void sendBatch(List<Message> messages) {
        messages.forEach(this::send);
    }

    @Override
    public void sendAndClose(Message message) {
        send(message);
        close();
    }

    @Override
    public void close() {
        ctx.executor().execute(() -> ctx.close());
    }

    @Override
    public long pendingBytes() {
        return 0;
    }

    private void write(FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.executor().execute(() -> {
            unanswered--;
            var future = ctx.writeAndFlush(response);
            if (keepAlive && !closeWhenAnswered) {
                ctx.channel().config().setAutoRead(true);
            } else if (!keepAlive || unanswered == 0) {
                future.addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (connection != null) {
            connection.closed();
        }
    }

    // --- responses -----------------------------------------------------------------------------------------

    private static RpcError apiError(ErrorCode code, String reason, String message) {
        return RpcError.of(code, message, reason);
    }

    private static FullHttpResponse error(HttpResponseStatus status, RpcError e) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("status", status.code());
        error.put("code", e.code());
        error.put("reason", e.reason());
        error.put("message", e.message());
        if (e.data().isObject() && e.data().size() > 1) {
            error.set("data", e.data());
        }
        return json(status, body);
    }

    private static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
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
