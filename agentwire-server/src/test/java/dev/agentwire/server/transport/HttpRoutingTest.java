package dev.agentwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where an HTTP request that passed the gate goes, on the hub's real pipeline on an {@link EmbeddedChannel}:
 * {@link RequestTargets} (400 for a target that cannot be decoded), {@link ApiHandler} ({@code /api/*},
 * {@code /metrics}), {@link LoginHandler} ({@code /login}, {@code /login/status}) and {@link HttpHandler}
 * ({@code /health}, the pages, and 404 for anything else), with the status each answers.
 */
class HttpRoutingTest {

    private static final String BEARER = "Authorization: Bearer " + EmbeddedHub.TOKEN;

    private final EmbeddedHub hub = new EmbeddedHub();

    @AfterEach
    void close() {
        hub.close();
    }

    private EmbeddedChannel connect() {
        return hub.tcp();
    }

    private Wire.Response ask(String request) {
        EmbeddedChannel ch = connect();
        Wire.send(ch, request);
        return Wire.response(ch);
    }

    @Test
    void anUnknownPathIsNotFound() {
        Wire.Response r = ask(Wire.get("/nothing-here", BEARER));

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.reason()).isEqualTo("not_found");
        assertThat(r.json().path("error").path("message").asText()).isEqualTo("no endpoint at /nothing-here");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void healthTakesOnlyGetAndHead() {
        Wire.Response r = ask(Wire.request("DELETE", "/health", ""));

        assertThat(r.status()).isEqualTo(405);
        assertThat(r.json().path("error").path("message").asText()).isEqualTo("use GET /health");
    }

    @Test
    void theClientScriptIsServedWithoutAPagePolicy() {
        Wire.Response r = ask(Wire.get("/client.js"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(r.header("Content-Security-Policy")).isNull();
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.body()).isNotEmpty();
    }

    @Test
    void aPageIsServedWithItsPolicy() {
        Wire.Response r = ask(Wire.get("/terminals"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/html");
        assertThat(r.header("Content-Security-Policy"))
                .as("the page's own policy, which allows its inline scripts")
                .isEqualTo(StaticFiles.pagePolicy(r.body()));
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.text()).contains("<html");
    }

    @Test
    void aTargetThatCannotBeDecodedIsABadRequest() {
        EmbeddedChannel ch = connect();
        Wire.send(ch, Wire.get("/health%zz", BEARER));
        Wire.Response r = Wire.response(ch);

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.reason()).isEqualTo("bad_request");
        assertThat(r.json().path("error").path("message").asText()).startsWith("the request target cannot be decoded");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anUnknownApiIsNotFoundInTheApisErrorShape() {
        Wire.Response r = ask(Wire.get("/api/nothing", BEARER));

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().path("error").path("code").asInt()).isEqualTo(-32007);
        assertThat(r.json().path("error").path("message").asText()).isEqualTo("no API at /api/nothing");
    }

    @Test
    void anApiAskedWithTheWrongMethodNamesTheRightOne() {
        Wire.Response r = ask(Wire.request("DELETE", "/api/sessions", "", BEARER));

        assertThat(r.status()).isEqualTo(405);
        assertThat(r.reason()).isEqualTo("method_not_allowed");
        assertThat(r.header("Allow")).isEqualTo("GET");
    }

    @Test
    void anApiThatTakesABodyRefusesNoneAndNonJsonAndNonObjects() {
        Wire.Response none = ask(Wire.request("POST", "/api/route-llm", "", BEARER));
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.json().path("error").path("message").asText()).contains("needs a JSON body");

        Wire.Response notJson = ask(Wire.request("POST", "/api/route-llm", "not json", BEARER));
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.reason()).isEqualTo("parse_error");

        Wire.Response array = ask(Wire.request("POST", "/api/route-llm", "[1]", BEARER));
        assertThat(array.status()).isEqualTo(400);
        assertThat(array.json().path("error").path("message").asText()).isEqualTo("the body must be a JSON object");
    }

    @Test
    void metricsAreTheOwnersOnly() {
        String reader = hub.core
                .tokens()
                .mint("reader", List.of("rooms:read"), Duration.ofMinutes(5))
                .token();

        Wire.Response refused = ask(Wire.get("/metrics", "Authorization: Bearer " + reader));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").path("data").path("scope").asText())
                .isEqualTo("admin");

        Wire.Response served = ask(Wire.get("/metrics", BEARER));
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        assertThat(served.text()).isEqualTo("agentwire_up 1\n");

        assertThat(ask(Wire.request("POST", "/metrics", "", BEARER)).status()).isEqualTo(405);
    }

    @Test
    void loginTakesOnlyGet() {
        Wire.Response r = ask(Wire.request("POST", "/login", ""));

        assertThat(r.status()).isEqualTo(405);
        assertThat(r.reason()).isEqualTo("method_not_allowed");
    }

    @Test
    void aLoginCodeIsTradedOnceForTheCookieAndARedirectToThePage() {
        String code = hub.logins.issue("/terminals").code();

        Wire.Response first = ask(Wire.get("/login?code=" + code + "&next=/terminals"));
        assertThat(first.status()).isEqualTo(303);
        assertThat(first.header("Location")).isEqualTo("/terminals");
        assertThat(first.header("Set-Cookie"))
                .startsWith("agentwire-" + EmbeddedHub.PORT + "=")
                .contains("HTTPOnly", "SameSite=Strict", "Path=/");
        assertThat(hub.audited("browser_login")).hasSize(1);

        Wire.Response again = ask(Wire.get("/login?code=" + code));
        assertThat(again.status()).isEqualTo(403);
        assertThat(again.text()).contains("was used already");
        assertThat(hub.audited("browser_login_refused")).hasSize(1);
    }

    @Test
    void aLoginLeadsOnlyToTheHubsPages() {
        String code = hub.logins.issue("/terminals").code();

        Wire.Response r = ask(Wire.get("/login?code=" + code + "&next=//evil.example"));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).contains("Not a page of this hub");
    }

    @Test
    void loginStatusSaysWhetherThisBrowserIsLoggedIn() {
        Wire.Response out = ask(Wire.get("/login/status"));
        assertThat(out.status()).isEqualTo(401);
        assertThat(out.json().path("loggedIn").asBoolean()).isFalse();

        String cookie = ((dev.agentwire.server.web.BrowserLogins.Session)
                        hub.logins.redeem(hub.logins.issue("/terminals").code()))
                .cookie();
        Wire.Response in = ask(Wire.get("/login/status", "Cookie: agentwire-" + EmbeddedHub.PORT + "=" + cookie));
        assertThat(in.status()).isEqualTo(200);
        assertThat(in.json().path("loggedIn").asBoolean()).isTrue();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOnOneConnection() {
        EmbeddedChannel ch = connect();

        Wire.send(ch, Wire.get("/health") + Wire.get("/nothing-here", BEARER) + Wire.get("/client.js"));

        assertThat(Wire.responses(ch)).extracting(Wire.Response::status).containsExactly(200, 404, 200);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void connectionCloseIsHonoured() {
        EmbeddedChannel ch = connect();

        Wire.send(ch, Wire.get("/health", "Connection: close"));

        assertThat(Wire.response(ch).status()).isEqualTo(200);
        assertThat(ch.isOpen()).isFalse();
    }
}
