package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.Transport;
import dev.agentwire.server.web.BrowserLogins;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who may open a WebSocket on the TCP port ({@link HttpGate} on {@code /ws}, ahead of Netty's handshake), on the
 * hub's real pipeline on an {@link EmbeddedChannel}: a Host that names the hub, an Origin that is the hub's own or
 * allowed (a non-browser client sends none), and a secret; and that what the secret grants is what the
 * WebSocket's core connection holds.
 */
class WebSocketGateTest {

    /** The accept RFC 6455 gives for its sample key ({@link Wire#WEBSOCKET_KEY}). */
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private final EmbeddedHub hub = new EmbeddedHub();

    @AfterEach
    void close() {
        hub.close();
    }

    private EmbeddedChannel connect(List<String> allowedOrigins) {
        return hub.tcp(allowedOrigins);
    }

    private Wire.Response ask(String request) {
        return ask(List.of(), request);
    }

    private Wire.Response ask(List<String> allowedOrigins, String request) {
        EmbeddedChannel ch = connect(allowedOrigins);
        Wire.send(ch, request);
        return Wire.response(ch);
    }

    /** The WebSocket connection the one channel opened. */
    private Connection theWebSocket() {
        assertThat(hub.core.connections()).hasSize(1);
        Connection c = hub.core.connections().iterator().next();
        assertThat(c.peer().transport()).isEqualTo(Transport.WEBSOCKET);
        return c;
    }

    private void assertRefused(EmbeddedChannel ch, Wire.Response r, int status, String reason) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(ch.isOpen()).as("a refusal closes the connection").isFalse();
        assertThat(hub.core.connections()).as("no WebSocket was opened").isEmpty();
        assertThat(hub.audited("request_refused")).singleElement().satisfies(f -> {
            assertThat(f.path("path").asText()).isEqualTo("/ws");
            assertThat(f.path("status").asInt()).isEqualTo(status);
            assertThat(f.path("reason").asText()).isEqualTo(reason);
        });
    }

    @Test
    void anUpgradeWithoutASecretIsUnauthorized() {
        EmbeddedChannel ch = connect(List.of());
        Wire.send(ch, Wire.upgrade("/ws", "Origin: http://127.0.0.1:" + EmbeddedHub.PORT));
        Wire.Response r = Wire.response(ch);

        assertRefused(ch, r, 401, "unauthenticated");
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"agentwire\"");
    }

    @Test
    void anUpgradeWithABadTokenIsUnauthorizedAndSaysWhy() {
        EmbeddedChannel ch = connect(List.of());
        Wire.send(ch, Wire.upgrade("/ws", "Authorization: Bearer not-a-token"));

        assertRefused(ch, Wire.response(ch), 401, "bad_token");
    }

    @Test
    void aForeignOriginIsRefusedWhateverSecretItBrings() {
        EmbeddedChannel ch = connect(List.of());
        Wire.send(ch, Wire.upgrade("/ws?token=" + EmbeddedHub.TOKEN, "Origin: http://evil.example"));
        Wire.Response r = Wire.response(ch);

        assertRefused(ch, r, 403, "origin_not_allowed");
        assertThat(r.json().path("error").path("message").asText())
                .contains("http://evil.example")
                .contains("may not open a WebSocket");
    }

    @Test
    void aForeignHostIsRefusedWhateverSecretItBrings() {
        EmbeddedChannel ch = connect(List.of());
        Wire.send(ch, Wire.upgrade("/ws?token=" + EmbeddedHub.TOKEN, "Host: rebound.example:" + EmbeddedHub.PORT));

        assertRefused(ch, Wire.response(ch), 403, "host_not_allowed");
    }

    @Test
    void theHubsOwnOriginWithTheTokenOpensAWebSocketWithEveryScope() {
        Wire.Response r = ask(Wire.upgrade(
                "/ws", "Origin: http://localhost:" + EmbeddedHub.PORT, "Authorization: Bearer " + EmbeddedHub.TOKEN));

        assertThat(r.status()).as("%s", r).isEqualTo(101);
        assertThat(r.header("Sec-WebSocket-Accept")).isEqualTo(ACCEPT);
        Connection c = theWebSocket();
        assertThat(c.isAuthenticated()).isTrue();
        assertThat(c.scopes()).containsExactly("*");
        assertThat(hub.audited("request_refused")).isEmpty();
    }

    @Test
    void aClientThatSendsNoOriginOpensWithATokenInTheQuery() {
        Wire.Response r = ask(Wire.upgrade("/ws?token=" + EmbeddedHub.TOKEN));

        assertThat(r.status()).as("%s", r).isEqualTo(101);
        assertThat(theWebSocket().isAuthenticated()).isTrue();
    }

    @Test
    void anAllowedOriginOpens() {
        Wire.Response r = ask(
                List.of("https://app.example.com"),
                Wire.upgrade("/ws?token=" + EmbeddedHub.TOKEN, "Origin: https://app.example.com"));

        assertThat(r.status()).as("%s", r).isEqualTo(101);
    }

    @Test
    void aScopedTokensWebSocketHoldsOnlyItsScopes() {
        String reader = hub.core
                .tokens()
                .mint("reader", List.of("rooms:read"), Duration.ofMinutes(5))
                .token();

        Wire.Response r = ask(Wire.upgrade("/ws", "Authorization: Bearer " + reader));

        assertThat(r.status()).as("%s", r).isEqualTo(101);
        Connection c = theWebSocket();
        assertThat(c.subject()).isEqualTo("reader");
        assertThat(c.scopes()).containsExactly("rooms:read");
    }

    @Test
    void theBrowserLoginCookieOpensAsTheOwner() {
        BrowserLogins.Session login = (BrowserLogins.Session)
                hub.logins.redeem(hub.logins.issue("/terminals").code());

        Wire.Response r = ask(Wire.upgrade(
                "/ws",
                "Origin: http://127.0.0.1:" + EmbeddedHub.PORT,
                "Cookie: agentwire-" + EmbeddedHub.PORT + "=" + login.cookie()));

        assertThat(r.status()).as("%s", r).isEqualTo(101);
        Connection c = theWebSocket();
        assertThat(c.subject()).isEqualTo("browser");
        assertThat(c.scopes()).containsExactly("*");
    }

    @Test
    void aCookieThatIsNoLoginIsUnauthorizedAndSaysHowToLogIn() {
        EmbeddedChannel ch = connect(List.of());
        Wire.send(ch, Wire.upgrade("/ws", "Cookie: agentwire-" + EmbeddedHub.PORT + "=forged"));
        Wire.Response r = Wire.response(ch);

        assertRefused(ch, r, 401, "unauthenticated");
        assertThat(r.json().path("error").path("message").asText()).contains("login is not valid", "aw open");
    }

    @Test
    void theOpenedWebSocketAnswersCallsWithItsGrant() {
        EmbeddedChannel ch = connect(List.of());
        Wire.send(ch, Wire.upgrade("/ws?token=" + EmbeddedHub.TOKEN));
        assertThat(Wire.response(ch).status()).isEqualTo(101);

        Wire.send(ch, clientFrame("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"hub/ping\"}"));

        JsonNode answer = Wire.json(serverText(Wire.written(ch)));
        assertThat(answer.path("id").asInt()).isEqualTo(7);
        assertThat(answer.path("result").path("pong").asBoolean()).isTrue();
    }

    /** A masked text frame, as a browser sends it. */
    private static byte[] clientFrame(String text) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
        client.writeOutbound(new TextWebSocketFrame(text));
        byte[] bytes = Wire.written(client);
        client.finishAndReleaseAll();
        return bytes;
    }

    /** The text of the one frame in {@code bytes}, as the hub sent it. */
    private static String serverText(byte[] bytes) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 16));
        client.writeInbound(Unpooled.wrappedBuffer(bytes));
        TextWebSocketFrame frame = client.readInbound();
        assertThat(frame).as("a text frame").isNotNull();
        try {
            return frame.text();
        } finally {
            frame.release();
            client.finishAndReleaseAll();
        }
    }
}
