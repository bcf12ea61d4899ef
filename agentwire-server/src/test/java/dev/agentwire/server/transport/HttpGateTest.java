package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.core.auth.TokenService;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The door of every plain HTTP request on the TCP port ({@link HttpGate}), on the hub's real pipeline on an
 * {@link EmbeddedChannel}: Host first, then Origin on requests that change state, then a secret for all but the
 * open paths, and at most 64 KiB of body from a stranger. A refusal is audited and closes the connection.
 */
class HttpGateTest {

    private final EmbeddedHub hub = new EmbeddedHub();

    @AfterEach
    void close() {
        hub.close();
    }

    private EmbeddedChannel connect() {
        return hub.tcp();
    }

    /** Sends {@code request} on a new connection: the one response, and the connection after it. */
    private record Exchange(Wire.Response response, EmbeddedChannel channel) {}

    private Exchange ask(String request) {
        EmbeddedChannel ch = connect();
        Wire.send(ch, request);
        return new Exchange(Wire.response(ch), ch);
    }

    private void assertRefused(Exchange e, int status, String reason) {
        assertThat(e.response().status()).as("%s", e.response()).isEqualTo(status);
        assertThat(e.response().reason()).isEqualTo(reason);
        assertThat(e.response().header("Connection")).isEqualTo("close");
        assertThat(e.channel().isOpen()).as("a refusal closes the connection").isFalse();
        assertThat(hub.audited("request_refused")).singleElement().satisfies(f -> {
            assertThat(f.path("status").asInt()).isEqualTo(status);
            assertThat(f.path("reason").asText()).isEqualTo(reason);
            assertThat(f.path("peer").asText()).startsWith("127.0.0.1:");
        });
    }

    @Test
    void healthIsOpenToAStrangerWithoutTheRoutersSpend() {
        Exchange e = ask(Wire.get("/health"));

        assertThat(e.response().status()).isEqualTo(200);
        assertThat(e.response().json().path("status").asText()).isEqualTo("ok");
        assertThat(e.response().json().path("llm_router").path("detail").asText())
                .contains("router scope");
        assertThat(e.channel().isOpen()).as("keep-alive").isTrue();
    }

    @Test
    void healthWithASecretThatHoldsTheRouterScopeShowsTheSpend() {
        Exchange e = ask(Wire.get("/health", "Authorization: Bearer " + EmbeddedHub.TOKEN));

        assertThat(e.response().status()).isEqualTo(200);
        assertThat(e.response().json().has("llm_router")).isFalse();
    }

    @Test
    void aBadTokenOnAnOpenPathDoesNotMatter() {
        Exchange e = ask(Wire.get("/health?token=garbage"));

        assertThat(e.response().status()).isEqualTo(200);
        assertThat(e.response().json().path("llm_router").has("detail")).isTrue();
    }

    @Test
    void anyOtherPathNeedsASecret() {
        Exchange e = ask(Wire.get("/nothing-here"));

        assertRefused(e, 401, "unauthenticated");
        assertThat(e.response().header("WWW-Authenticate")).isEqualTo("Bearer realm=\"agentwire\"");
        assertThat(e.response().json().path("error").path("message").asText()).contains("/nothing-here needs a secret");
    }

    @Test
    void theApiNeedsASecretBeforeItsRoutesAreLookedAt() {
        assertRefused(ask(Wire.request("POST", "/api/route-llm", "{}")), 401, "unauthenticated");
    }

    @Test
    void aBadTokenIsRefusedAndNamed() {
        assertRefused(ask(Wire.get("/nothing-here", "Authorization: Bearer garbage")), 401, "bad_token");
    }

    @Test
    void aRevokedTokenIsRefusedAndNamed() {
        TokenService.Minted minted = hub.core.tokens().mint("gone", List.of("rooms:read"), Duration.ofMinutes(5));
        hub.core.tokens().revoke(minted.jti(), minted.expiresAt());

        assertRefused(ask(Wire.get("/nothing-here?token=" + minted.token())), 401, "token_revoked");
    }

    @Test
    void theTokenLetsARequestPastTheGate() {
        Exchange e = ask(Wire.get("/nothing-here", "Authorization: Bearer " + EmbeddedHub.TOKEN));

        assertThat(e.response().status()).as("routed: no such page").isEqualTo(404);
        assertThat(e.channel().isOpen()).isTrue();
        assertThat(hub.audited("request_refused")).isEmpty();
    }

    @Test
    void aHostThatDoesNotNameTheHubIsRefusedEvenForHealth() {
        assertRefused(ask(Wire.get("/health", "Host: rebound.example:" + EmbeddedHub.PORT)), 403, "host_not_allowed");
    }

    @Test
    void aRequestWithoutHostIsRefused() {
        assertRefused(ask("GET /health HTTP/1.1\r\n\r\n"), 403, "host_not_allowed");
    }

    @Test
    void aRequestWithTwoHostsIsRefused() {
        assertRefused(
                ask(Wire.get("/health", "Host: " + EmbeddedHub.HOST, "Host: " + EmbeddedHub.HOST)),
                403,
                "host_not_allowed");
    }

    @Test
    void everyNameOfTheHubIsAHost() {
        for (String host : List.of("localhost:7777", "[::1]:7777", "LOCALHOST:7777")) {
            assertThat(ask(Wire.get("/health", "Host: " + host)).response().status())
                    .as(host)
                    .isEqualTo(200);
        }
    }

    @Test
    void aForeignOriginMayNotChangeStateWhateverSecretItBrings() {
        Exchange e = ask(Wire.request(
                "POST",
                "/api/route-llm",
                "{}",
                "Origin: http://evil.example",
                "Authorization: Bearer " + EmbeddedHub.TOKEN));

        assertRefused(e, 403, "origin_not_allowed");
        assertThat(e.response().json().path("error").path("message").asText()).contains("may not send POST");
    }

    @Test
    void aForeignOriginMayReadAnOpenPath() {
        Exchange e = ask(Wire.get("/health", "Origin: http://evil.example"));

        assertThat(e.response().status()).isEqualTo(200);
    }

    @Test
    void aStrangerMayNotSendALargeBodyToAnOpenPath() {
        String head = "POST /health HTTP/1.1\r\nHost: " + EmbeddedHub.HOST + "\r\nContent-Length: "
                + (HttpGate.MAX_ANONYMOUS_BODY + 1) + "\r\n\r\n";

        assertRefused(ask(head), 413, "body_too_large");
    }

    @Test
    void aStrangerMayNotSendAChunkedBodyToAnOpenPath() {
        String head = "POST /health HTTP/1.1\r\nHost: " + EmbeddedHub.HOST + "\r\nTransfer-Encoding: chunked\r\n\r\n";

        assertRefused(ask(head), 413, "body_too_large");
    }

    @Test
    void aStrangerMaySendASmallBodyToAnOpenPath() {
        Exchange e = ask(Wire.request("POST", "/health", "x".repeat(HttpGate.MAX_ANONYMOUS_BODY)));

        assertThat(e.response().status()).as("past the gate: /health takes GET").isEqualTo(405);
    }

    /** Holds the hub's writes unfinished, as a peer slow to read does: the refusal's close waits for its write. */
    private static final class SlowReader extends ChannelOutboundHandlerAdapter {
        final ByteArrayOutputStream held = new ByteArrayOutputStream();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b) {
                held.writeBytes(ByteBufUtil.getBytes(b));
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {}
    }

    @Test
    void whatFollowsARefusedRequestIsDroppedUnjudged() {
        EmbeddedChannel ch = connect();
        SlowReader peer = new SlowReader();
        ch.pipeline().addFirst(peer);

        Wire.send(ch, Wire.get("/nothing-here") + Wire.get("/nor-here"));

        assertThat(Wire.responses(peer.held.toByteArray()))
                .extracting(Wire.Response::status)
                .containsExactly(401);
        assertThat(hub.audited("request_refused"))
                .as("only the first request was judged")
                .singleElement()
                .satisfies(f -> assertThat(f.path("path").asText()).isEqualTo("/nothing-here"));
    }
}
