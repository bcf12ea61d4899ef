package dev.agentwire.server.transport;

import dev.agentwire.protocol.Json;
import dev.agentwire.server.web.BrowserLogins;
import dev.agentwire.server.web.HubPages;
import dev.agentwire.server.web.WebAccess;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Optional;

/**
 * The browser login's two endpoints. {@code GET /login?code=C&next=PAGE} trades a one-time code for the login
 * cookie ({@code HttpOnly}, {@code SameSite=Strict}, {@code Path=/}) and answers 303 to the page, so the code
 * leaves the address bar; a used, expired or unknown code gets a page that says so and how to get another.
 * {@code GET /login/status} says whether this browser is logged in (200) or not (401, with how), for the
 * pages. Runs on the event loop; nothing blocks.
 */
final class LoginHandler extends ChannelInboundHandlerAdapter {

    private final BrowserLogins logins;
    private final String cookieName;
    private final dev.agentwire.core.audit.Audit audit;

    LoginHandler(WebAccess access, int port, dev.agentwire.core.audit.Audit audit) {
        this.audit = audit;
        this.logins = access.logins();
        this.cookieName = WebAccess.cookieName(port);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        String path = query.path();
        if (!path.equals("/login") && !path.equals("/login/status")) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            FullHttpResponse response;
            if (!req.method().equals(HttpMethod.GET)) {
                response = HttpReplies.error(
                        HttpResponseStatus.METHOD_NOT_ALLOWED, 0, "method_not_allowed", "use GET " + path);
            } else if (path.equals("/login")) {
                response = login(query);
                var f = dev.agentwire.protocol.Json.mapper().createObjectNode();
                f.put("transport", "http");
                f.put("peer", String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", ""));
                boolean ok = response.status().equals(HttpResponseStatus.SEE_OTHER);
                f.put("reason", ok ? "login_code" : "bad_login_code");
                audit.record(ok ? "browser_login" : "browser_login_refused", f);
            } else {
                response = status(req, query);
            }
            HttpReplies.send(ctx, req, response);
        } finally {
            ReferenceCountUtil.release(req);
        }
    }

    private FullHttpResponse login(QueryStringDecoder query) {
        String next = first(query, "next").orElse(HubPages.DEFAULT);
        Optional<String> page = HubPages.checkNext(next);
        if (page.isEmpty()) {
            return HttpReplies.note(
                    HttpResponseStatus.BAD_REQUEST,
                    "Not a page of this hub",
                    "A login leads to one of the hub's pages (" + HubPages.names() + "), not elsewhere.",
                    "Run `aw open` where the hub runs for a login link to the dashboard.");
        }
        String name = HubPages.name(page.get());
        Optional<String> code = first(query, "code");
        BrowserLogins.Redeemed r =
                code.isPresent() ? logins.redeem(code.get()) : new BrowserLogins.Refused(BrowserLogins.Reason.UNKNOWN);
        if (r instanceof BrowserLogins.Session s) {
            DefaultCookie cookie = new DefaultCookie(cookieName, s.cookie());
            cookie.setHttpOnly(true);
            cookie.setSameSite(CookieHeaderNames.SameSite.Strict);
            cookie.setPath("/");
            cookie.setMaxAge(s.maxAge().toSeconds());
            FullHttpResponse redirect = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SEE_OTHER);
            redirect.headers().set(HttpHeaderNames.LOCATION, page.get());
            redirect.headers().set(HttpHeaderNames.SET_COOKIE, ServerCookieEncoder.STRICT.encode(cookie));
            redirect.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            redirect.headers().set("Referrer-Policy", "no-referrer");
            redirect.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            return redirect;
        }
        String why = switch (((BrowserLogins.Refused) r).reason()) {
            case USED -> "This login link was used already: each link logs in once.";
            case EXPIRED ->
                "This login link expired: a link is good for " + BrowserLogins.CODE_TTL.toMinutes() + " minutes.";
            case UNKNOWN ->
                "This login link is not one this hub made (it may be from before the hub"
                        + " restarted, or expired long ago).";
        };
        return HttpReplies.note(
                HttpResponseStatus.FORBIDDEN,
                "Login link not valid",
                why,
                "Run `aw open " + name + "` on the machine where the hub runs: it opens a new link (or prints it,"
                        + " with --no-browser).");
    }

    private FullHttpResponse status(FullHttpRequest req, QueryStringDecoder query) {
        boolean loggedIn = false;
        for (String header : req.headers().getAll(HttpHeaderNames.COOKIE)) {
            loggedIn |= ServerCookieDecoder.LAX.decodeAll(header).stream()
                    .anyMatch(c -> c.name().equals(cookieName) && logins.isSession(c.value()));
        }
        var body = Json.mapper().createObjectNode().put("loggedIn", loggedIn);
        if (loggedIn) {
            return HttpReplies.json(HttpResponseStatus.OK, body);
        }
        String name = HubPages.name(first(query, "next").orElse(HubPages.DEFAULT));
        body.put(
                "message",
                "not logged in to the hub: run `aw open " + name + "` where the hub runs, and open the link it"
                        + " prints");
        FullHttpResponse r = HttpReplies.json(HttpResponseStatus.UNAUTHORIZED, body);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"agentwire\"");
        return r;
    }

    private static Optional<String> first(QueryStringDecoder query, String name) {
        List<String> v = query.parameters().get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }
}
