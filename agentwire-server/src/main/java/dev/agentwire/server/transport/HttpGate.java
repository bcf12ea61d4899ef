package dev.agentwire.server.transport;

import dev.agentwire.core.HubException;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.server.web.BrowserLogins;
import dev.agentwire.server.web.WebAccess;
import dev.agentwire.server.web.WebOrigins;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The door of every HTTP request on the TCP port, before any routing, in this order:
 *
 * <ol>
 *   <li>{@code Host} must name this hub ({@link WebOrigins}), else 403: a rebound DNS name gets nothing, not
 *       even {@code /health}.
 *   <li>{@code Origin}, when present on a WebSocket upgrade or a request that changes state (anything but
 *       GET, HEAD, OPTIONS), must be the hub's own or allowed, else 403, whatever secret comes with it.
 *   <li>{@code /socket.io/} needs an allowed {@code Origin} (when one is sent) on every request, and authenticates
 *       in its CONNECT packet instead; its bodies are bounded by {@code socketio.maxPayload}.
 *   <li>Everything but the open paths ({@code /health}, {@code /login}, the pages' files) needs a secret: the
 *       hub's token or a scoped token ({@code Authorization: Bearer}, {@code ?token=}) or the browser login
 *       cookie; else 401. What it grants is left in {@link Attributes#GRANT} for the WebSocket and the API.
 * </ol>
 *
 * <p>It judges the request's head, before the aggregator reads its body, so that nothing a stranger sends is
 * buffered: a refused request's body is dropped, and a request to an open path without a secret may send at most
 * {@value #MAX_ANONYMOUS_BODY} bytes (413). {@code Origin} never authenticates. A refusal closes the connection.
 * Runs on the event loop; every check is a lookup or an HMAC. One per connection.
 */
final class HttpGate extends ChannelInboundHandlerAdapter {

    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final TokenService tokens;
    private final BrowserLogins logins;
    private final WebOrigins origins;
    private final String cookieName;
    private final Predicate<String> open;
    /** A request was refused: what else arrives on this connection is dropped while it closes. */
    private boolean refused;

    /** The largest body a request to an open path may send without a secret. */
    static final int MAX_ANONYMOUS_BODY = 64 * 1024;

    private final dev.agentwire.core.audit.Audit audit;
    /** The largest body a Socket.IO request may send ({@code socketio.maxPayload}); 0 when Socket.IO is off. */
    private final int socketIoMaxBody;

    HttpGate(
            TokenService tokens,
            WebAccess access,
            int port,
            Predicate<String> open,
            dev.agentwire.core.audit.Audit audit,
            int socketIoMaxBody) {
        this.tokens = tokens;
        this.socketIoMaxBody = socketIoMaxBody;
        this.audit = audit;
        this.logins = access.logins();
        this.origins = access.origins(port);
        this.cookieName = WebAccess.cookieName(port);
        this.open = open;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // the rest of a refused request: the connection is closing
            return;
        }
        if (!(msg instanceof HttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Optional<FullHttpResponse> refusal = refusal(ctx, req);
        if (refusal.isPresent()) {
            refused = true;
            audit(ctx, req, refusal.get());
            ReferenceCountUtil.release(req);
            HttpReplies.refuse(ctx, refusal.get());
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Whether the largest body a request without a secret may send is exceeded (or unknown: chunked). */
    private static boolean bodyTooLargeForAStranger(HttpRequest req) {
        return HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > MAX_ANONYMOUS_BODY;
    }

    private Optional<FullHttpResponse> refusal(ChannelHandlerContext ctx, HttpRequest req) {
        ctx.channel().attr(Attributes.GRANT).set(null);
        if (!req.decoderResult().isSuccess()) {
            return Optional.of(
                    HttpReplies.error(HttpResponseStatus.BAD_REQUEST, 0, "bad_request", "malformed HTTP request"));
        }
        List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() != 1 || !origins.hostAllowed(hosts.get(0))) {
            String named = hosts.isEmpty() ? "no Host" : "Host " + String.join(", ", hosts);
            return Optional.of(HttpReplies.error(
                    HttpResponseStatus.FORBIDDEN,
                    ErrorCode.FORBIDDEN.code(),
                    "host_not_allowed",
                    "the request names " + named + ", not this hub (" + origins.hosts()
                            + "; add a name to security.allowedHosts)"));
        }
        String path = new QueryStringDecoder(req.uri()).path();
        boolean webSocket = path.startsWith("/ws");
        boolean socketIo = socketIoMaxBody > 0 && dev.agentwire.server.socketio.EngineIoHandler.handles(path);
        // MCP's GET stream carries a session's data: its Origin is checked like a WebSocket's (MCP says 403).
        boolean mcp = dev.agentwire.server.mcp.McpHttpHandler.handles(path);
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null
                && (webSocket || socketIo || mcp || !SAFE.contains(req.method()))
                && !origins.originAllowed(origin)) {
            return Optional.of(HttpReplies.error(
                    HttpResponseStatus.FORBIDDEN,
                    ErrorCode.FORBIDDEN.code(),
                    "origin_not_allowed",
                    "origin " + origin + " may not "
                            + (webSocket ? "open a WebSocket" : socketIo ? "use Socket.IO" : "send " + req.method())
                            + " here: only the hub's own pages and security.allowedOrigins may"));
        }
        if (socketIo) {
            // Socket.IO authenticates in its CONNECT packet (auth.token); a secret sent here counts as well.
            // Every Socket.IO request, polling GETs too, needs an allowed Origin (above): a session's packets
            // are its data.
            try {
                credentials(req)
                        .ifPresent(g -> ctx.channel().attr(Attributes.GRANT).set(g));
            } catch (HubException e) {
                return Optional.of(unauthorized(e.toRpcError().reason(), e.getMessage()));
            }
            if (HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > socketIoMaxBody) {
                return Optional.of(HttpReplies.error(
                        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        ErrorCode.TOO_LARGE.code(),
                        "body_too_large",
                        "a Socket.IO request may send at most " + socketIoMaxBody
                                + " bytes of body (socketio.maxPayload), with a Content-Length"));
            }
            return Optional.empty();
        }
        if (!webSocket && open.test(path)) {
            // Open: a valid secret still counts (/health then shows more), a missing or bad one does not matter,
            // except that only a request with a valid secret may send a large body.
            Optional<TokenService.Grant> grant;
            try {
                grant = credentials(req);
            } catch (HubException e) {
                grant = Optional.empty();
            }
            grant.ifPresent(g -> ctx.channel().attr(Attributes.GRANT).set(g));
            if (grant.isEmpty() && bodyTooLargeForAStranger(req)) {
                return Optional.of(HttpReplies.error(
                        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                        ErrorCode.TOO_LARGE.code(),
                        "body_too_large",
                        "without a secret a request may send at most " + MAX_ANONYMOUS_BODY + " bytes of body"));
            }
            return Optional.empty();
        }
        try {
            Optional<TokenService.Grant> grant = credentials(req);
            if (grant.isPresent()) {
                ctx.channel().attr(Attributes.GRANT).set(grant.get());
                return Optional.empty();
            }
            return Optional.of(unauthorized("unauthenticated", needsSecret(req, path)));
        } catch (HubException e) {
            return Optional.of(unauthorized(e.toRpcError().reason(), e.getMessage()));
        }
    }

    /** Writes the refusal to the audit trail: who, which path, why (the answer's reason and message). */
    private void audit(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse refusal) {
        var f = dev.agentwire.protocol.Json.mapper().createObjectNode();
        f.put("transport", "http");
        f.put("peer", String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", ""));
        f.put("method", req.method().name());
        f.put("path", new QueryStringDecoder(req.uri()).path());
        f.put("status", refusal.status().code());
        try {
            var body = dev.agentwire.protocol.Json.mapper()
                    .readTree(refusal.content().toString(java.nio.charset.StandardCharsets.UTF_8))
                    .path("error");
            f.put("reason", body.path("reason").asText());
            f.put("message", body.path("message").asText());
        } catch (java.io.IOException e) {
            f.put("reason", "refused");
        }
        audit.record("request_refused", f);
    }

    /**
     * What the request's secret grants: a token if it presents one (a bad token is refused even beside a good
     * cookie), else the browser login cookie (the owner), else nothing.
     */
    private Optional<TokenService.Grant> credentials(HttpRequest req) {
        Optional<String> token = presentedToken(req);
        if (token.isPresent()) {
            return Optional.of(tokens.verify(token.get()));
        }
        // The owner's login: every scope, until the cookie expires (the hub then ends its WebSockets too).
        return loginCookie(req)
                .flatMap(logins::remaining)
                .map(left -> new TokenService.Grant(
                        "browser",
                        Scopes.ALL,
                        Optional.empty(),
                        Optional.of(tokens.clock().instant().plus(left))));
    }

    private String needsSecret(HttpRequest req, String path) {
        if (loginCookie(req).isPresent()) {
            return "this browser's login is not valid (it expired, or the hub restarted since): run `aw open` for a"
                    + " new login link";
        }
        return path + " needs a secret: the hub's token or a scoped token (Authorization: Bearer TOKEN, or"
                + " ?token=), or a browser login (run `aw open`); only /health and the pages' files are open";
    }

    private Optional<String> loginCookie(HttpRequest req) {
        for (String header : req.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
                if (c.name().equals(cookieName)) {
                    return Optional.of(c.value());
                }
            }
        }
        return Optional.empty();
    }

    /** The token a request presents: {@code ?token=} or {@code Authorization: Bearer}. */
    static Optional<String> presentedToken(HttpRequest req) {
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

    private static FullHttpResponse unauthorized(String reason, String message) {
        FullHttpResponse r =
                HttpReplies.error(HttpResponseStatus.UNAUTHORIZED, ErrorCode.FORBIDDEN.code(), reason, message);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"agentwire\"");
        return r;
    }
}
