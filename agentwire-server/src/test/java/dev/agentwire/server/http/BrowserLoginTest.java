package dev.agentwire.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.core.Ticker;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Browser login as Jupyter does it, over plain HTTP (the Chromium run is in agentwire-cli's
 * {@code OpenCommandTest}): {@code auth/login-code} makes a one-time code, {@code GET /login} trades it for an
 * {@code HttpOnly}, {@code SameSite=Strict} cookie and redirects; the cookie opens /ws and /api as the owner.
 */
class BrowserLoginTest {

    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private AgentwireHub hub(UnaryOperator<AgentwireHub.Builder> tweak) throws Exception {
        AgentwireHub h = TestHubs.start(TestHubs.shortTempDir(), tweak);
        open.add(h);
        return h;
    }

    private AgentwireClient owner(AgentwireHub h) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(h.endpoint())
                .reconnect(false)
                .connect();
        open.add(c);
        return c;
    }

    private static JsonNode loginCode(AgentwireClient c, String page) throws Exception {
        return c.request("auth/login-code", Json.mapper().createObjectNode().put("page", page))
                .get(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(AgentwireHub h, String pathAndQuery, String cookie, String origin)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + h.tcpPort().getAsInt() + pathAndQuery))
                .timeout(Duration.ofSeconds(20));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The path and query of a login URL (the host part is checked on its own). */
    private static String pathOf(String url) {
        URI u = URI.create(url);
        return u.getRawPath() + "?" + u.getRawQuery();
    }

    /** {@code name=value} of the response's Set-Cookie, for a Cookie header. */
    private static String cookiePair(HttpResponse<?> r) {
        String set = r.headers().firstValue("Set-Cookie").orElseThrow();
        return set.substring(0, set.indexOf(';'));
    }

    @Test
    void aCodeBecomesAnHttpOnlyStrictCookieOnceAndThePageLosesTheCode() throws Exception {
        AgentwireHub h = hub(b -> b);
        int port = h.tcpPort().getAsInt();
        JsonNode code = loginCode(owner(h), "terminals");
        String url = code.path("url").asText();
        assertThat(url).startsWith("http://127.0.0.1:" + port + "/login?code=").endsWith("&next=/terminals");
        assertThat(url.substring(url.indexOf("code=") + 5, url.indexOf('&')))
                .as("256 random bits, base64url")
                .matches("[A-Za-z0-9_-]{43}");
        Instant expires = Instant.parse(code.path("expiresAt").asText());
        assertThat(expires)
                .isBetween(Instant.now().plusSeconds(60), Instant.now().plusSeconds(121));

        HttpResponse<String> login = get(h, pathOf(url), null, null);
        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("Location")).hasValue("/terminals");
        String set = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(set)
                .startsWith("agentwire-" + port + "=")
                .containsIgnoringCase("; HttpOnly")
                .containsIgnoringCase("; SameSite=Strict")
                .containsIgnoringCase("; Path=/")
                .containsIgnoringCase("; Max-Age=43200");
        assertThat(cookiePair(login).substring(("agentwire-" + port + "=").length()))
                .matches("[A-Za-z0-9_-]{43}");

        HttpResponse<String> again = get(h, pathOf(url), null, null);
        assertThat(again.statusCode()).as("a code works once").isEqualTo(403);
        assertThat(again.headers().firstValue("Set-Cookie")).isEmpty();
        assertThat(again.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(again.body()).contains("aw open terminals").contains("used");
        assertThat(get(h, "/login?code=nope&next=/terminals", null, null).statusCode())
                .as("an unknown code")
                .isEqualTo(403);
    }

    @Test
    void theCookieIsTheOwnerOnTheWebSocketAndTheApi() throws Exception {
        AgentwireHub h = hub(b -> b);
        int port = h.tcpPort().getAsInt();
        String cookie = cookiePair(
                get(h, pathOf(loginCode(owner(h), "terminals").path("url").asText()), null, null));

        assertThat(get(h, "/api/tools", cookie, null).statusCode()).isEqualTo(200);
        HttpResponse<String> state = get(h, "/login/status", cookie, null);
        assertThat(Json.mapper().readTree(state.body()).path("loggedIn").asBoolean())
                .isTrue();
        HttpResponse<String> anonymous = get(h, "/login/status", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(Json.mapper().readTree(anonymous.body()).path("loggedIn").asBoolean())
                .isFalse();
        assertThat(anonymous.body()).contains("aw open");

        WebSocket ws = webSocket(h, cookie, "http://127.0.0.1:" + port);
        CompletableFuture<String> pong = new CompletableFuture<>();
        listener.onText = pong::complete;
        ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"terminals/list\"}", true);
        assertThat(Json.mapper()
                        .readTree(pong.get(10, TimeUnit.SECONDS))
                        .path("result")
                        .has("terminals"))
                .as("every scope, terminals too")
                .isTrue();
        ws.abort();

        assertThat(handshakeStatus(() -> webSocket(h, cookie, "http://127.0.0.1:" + (port + 1))))
                .as("another port of the same machine is another origin")
                .isEqualTo(403);
        assertThat(handshakeStatus(() -> webSocket(h, "agentwire-" + port + "=forged", null)))
                .as("a cookie this hub did not make")
                .isEqualTo(401);
    }

    /** A WebSocket opened with the login ends when the login does, like a scoped token's connection. */
    @Test
    void aWebSocketOfTheBrowserLoginEndsWhenTheLoginExpires() throws Exception {
        AgentwireHub h = hub(b -> b.set("security.loginCookieSeconds", "2"));
        String cookie = cookiePair(
                get(h, pathOf(loginCode(owner(h), "terminals").path("url").asText()), null, null));
        webSocket(h, cookie, null);
        assertThat(listener.closed.get(20, TimeUnit.SECONDS))
                .as("closed at the login's expiry")
                .isNotEmpty();
    }

    @Test
    void codesAndCookiesExpire() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        Ticker fake = now::get;
        AgentwireHub h = hub(b -> b.ticker(fake).set("security.loginCookieSeconds", "600"));
        AgentwireClient c = owner(h);
        String stale = pathOf(loginCode(c, "terminals").path("url").asText());
        now.addAndGet(TimeUnit.SECONDS.toNanos(121));
        HttpResponse<String> late = get(h, stale, null, null);
        assertThat(late.statusCode()).isEqualTo(403);
        assertThat(late.body()).contains("expired").contains("aw open terminals");

        String cookie =
                cookiePair(get(h, pathOf(loginCode(c, "terminals").path("url").asText()), null, null));
        assertThat(get(h, "/api/tools", cookie, null).statusCode()).isEqualTo(200);
        now.addAndGet(TimeUnit.SECONDS.toNanos(601));
        assertThat(get(h, "/api/tools", cookie, null).statusCode())
                .as("after security.loginCookieSeconds")
                .isEqualTo(401);
    }

    @Test
    void aRestartLogsEveryoneOut() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String portText = Integer.toString(port);
        var dir = TestHubs.shortTempDir();
        String cookie;
        try (AgentwireHub first = TestHubs.start(dir, b -> b.set("clientPort", portText));
                AgentwireClient c = AgentwireClient.builder()
                        .endpoint(first.endpoint())
                        .reconnect(false)
                        .connect()) {
            cookie = cookiePair(
                    get(first, pathOf(loginCode(c, "terminals").path("url").asText()), null, null));
            assertThat(get(first, "/api/tools", cookie, null).statusCode()).isEqualTo(200);
        }
        AgentwireHub second = TestHubs.start(dir, b -> b.set("clientPort", portText));
        open.add(second);
        assertThat(get(second, "/api/tools", cookie, null).statusCode()).isEqualTo(401);
    }

    @Test
    void theNextPageMustBeOneOfTheHubs() throws Exception {
        AgentwireHub h = hub(b -> b);
        AgentwireClient c = owner(h);
        String url = loginCode(c, "terminals").path("url").asText();
        String code = url.substring(url.indexOf("code=") + 5, url.indexOf('&'));
        for (String next : List.of("//evil.example/", "http://evil.example/", "/\\evil.example", "/api/tools")) {
            HttpResponse<String> r =
                    get(h, "/login?code=" + code + "&next=" + java.net.URLEncoder.encode(next, "UTF-8"), null, null);
            assertThat(r.statusCode()).as(next).isEqualTo(400);
            assertThat(r.headers().firstValue("Location")).as(next).isEmpty();
        }
        HttpResponse<String> ok = get(h, "/login?code=" + code + "&next=/demo/tools.html%3Fsession%3Dwork", null, null);
        assertThat(ok.statusCode())
                .as("the code was not spent by the refused tries")
                .isEqualTo(303);
        assertThat(ok.headers().firstValue("Location")).hasValue("/demo/tools.html?session=work");
        assertThat(loginCode(c, "demo").path("url").asText()).endsWith("&next=/demo/tools.html");
        RpcException unknown =
                (RpcException) catchThrowable(() -> loginCode(c, "admin-panel")).getCause();
        assertThat(unknown.code()).isEqualTo(-32602);
        assertThat(unknown.getMessage()).contains("admin-panel").contains("terminals");
    }

    @Test
    void onlyTheOwnerMakesLoginCodes() throws Exception {
        AgentwireHub h = hub(b -> b);
        JsonNode minted = owner(h).request(
                        "tokens/create", Json.mapper().readTree("{\"sub\":\"reader\",\"scopes\":[\"tools:call\"]}"))
                .get(10, TimeUnit.SECONDS);
        try (AgentwireClient reader = AgentwireClient.builder()
                .endpoint("tcp://127.0.0.1:" + h.tcpPort().getAsInt())
                .token(minted.path("token").asText())
                .reconnect(false)
                .connect()) {
            assertThatThrownBy(() -> loginCode(reader, "terminals"))
                    .hasCauseInstanceOf(RpcException.class)
                    .hasMessageContaining("admin");
        }
    }

    // --- a WebSocket with a cookie ---------------------------------------------------------------------------

    private final TextListener listener = new TextListener();

    /** Hands each whole text message to {@link #onText}. */
    private static final class TextListener implements WebSocket.Listener {
        volatile java.util.function.Consumer<String> onText = s -> {};
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
            closed.complete(status + " " + reason);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                onText.accept(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    private WebSocket webSocket(AgentwireHub h, String cookie, String origin) {
        WebSocket.Builder b = http.newWebSocketBuilder().header("Cookie", cookie);
        if (origin != null) {
            b.header("Origin", origin);
        }
        return b.buildAsync(URI.create("ws://127.0.0.1:" + h.tcpPort().getAsInt() + "/ws"), listener)
                .join();
    }

    private static int handshakeStatus(Runnable attempt) {
        Throwable t = catchThrowable(attempt::run);
        Throwable cause = t instanceof CompletionException ? t.getCause() : t;
        assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) cause).getResponse().statusCode();
    }
}
