package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code aw open}: a one-time login link for a browser. The whole flow runs in headless Chromium, read through
 * the DevTools protocol: not logged in, the page says how; the link logs in (an {@code HttpOnly},
 * {@code SameSite=Strict} cookie) and lands on the page without the code, which then works; the link works once;
 * another browser profile is not logged in.
 */
class OpenCommandTest {

    private Path dir;
    private AgentwireHub hub;
    private int port;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "awopen");
        hub = AgentwireHub.builder()
                .home(dir.resolve("home"))
                .set("clientPort", "0")
                .build()
                .start();
        port = hub.tcpPort().getAsInt();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void printsAOneTimeLinkForAPage() throws Exception {
        AwRunner.Result r = aw("open", "--no-browser", "--connect", hub.endpoint());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip())
                .as("the dashboard by default")
                .matches("http://127\\.0\\.0\\.1:" + port + "/login\\?code=[A-Za-z0-9_-]{43}&next=/");
        AwRunner.Result terminals = aw("open", "terminals", "--no-browser", "--connect", hub.endpoint());
        assertThat(terminals.out().strip()).endsWith("&next=/terminals");
        AwRunner.Result demo = aw("open", "demo", "--no-browser", "--json", "--connect", hub.endpoint());
        JsonNode j = Json.mapper().readTree(demo.out());
        assertThat(j.path("url").asText()).endsWith("&next=/demo/tools.html");
        assertThat(j.path("expiresAt").asText()).isNotEmpty();
        AwRunner.Result unknown = aw("open", "settings", "--no-browser", "--connect", hub.endpoint());
        assertThat(unknown.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(unknown.err()).contains("no page settings").contains("dashboard, terminals, demo");
    }

    @Test
    void aBrowserLogsInOnceWithTheLinkAndOnlyThatProfile() throws Exception {
        assumeTrue(Chromium.available(), "needs Debian's chromium (CI installs it)");
        try (AgentwireClient owner = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            owner.request(
                            "terminals/spawn",
                            Json.mapper()
                                    .readTree("{\"command\":[\"sh\",\"-c\",\"sleep 60\"],\"name\":\"listed-here\"}"))
                    .get(30, TimeUnit.SECONDS);
        }
        String page = "http://127.0.0.1:" + port + "/terminals";
        try (Chromium browser = Chromium.start(dir.resolve("profile-a"))) {
            browser.navigate(page);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> browser.evaluate("document.getElementById('status').textContent")
                            .contains("aw open terminals"));
            assertThat(browser.evaluate("document.querySelectorAll('#sessions li').length"))
                    .as("nothing listed without a login")
                    .isEqualTo("0");

            AwRunner.Result open = aw("open", "terminals", "--no-browser", "--connect", hub.endpoint());
            assertThat(open.code()).as(open.err()).isZero();
            String link = open.out().strip();
            browser.navigate(link);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> browser.evaluate("document.body ? document.body.innerText : ''")
                            .contains("listed-here"));
            assertThat(browser.evaluate("location.origin + location.pathname + location.search"))
                    .as("redirected to the page, without the code")
                    .isEqualTo(page);
            JsonNode cookies = browser.cookies(page);
            assertThat(cookies).hasSize(1);
            JsonNode cookie = cookies.get(0);
            assertThat(cookie.path("name").asText()).isEqualTo("agentwire-" + port);
            assertThat(cookie.path("httpOnly").asBoolean()).isTrue();
            assertThat(cookie.path("sameSite").asText()).isEqualTo("Strict");
            assertThat(cookie.path("path").asText()).isEqualTo("/");
            assertThat(cookie.path("session").asBoolean()).as("it expires").isFalse();
            assertThat(browser.evaluate("document.cookie"))
                    .as("scripts cannot read it")
                    .isEmpty();

            browser.navigate(link);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> browser.evaluate("document.body ? document.body.innerText : ''")
                            .contains("used already"));
            assertThat(browser.evaluate("document.body.innerText")).contains("aw open terminals");
        }
        try (Chromium other = Chromium.start(dir.resolve("profile-b"))) {
            other.navigate(page);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> other.evaluate("document.getElementById('status').textContent")
                            .contains("aw open terminals"));
            assertThat(other.cookies(page)).isEmpty();
            assertThat(other.evaluate("document.querySelectorAll('#sessions li').length"))
                    .isEqualTo("0");
        }
    }
}
