package dev.agentwire.server.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.core.sessions.SessionManager;
import dev.agentwire.core.tools.ToolTables;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real browser: headless Chromium (Debian's {@code chromium}; CI installs it) logs in with a one-time link and
 * opens {@code /demo/tools.html}, whose tools a Java agent on the Unix socket then calls. Killing the browser takes its tools away.
 */
class BrowserTest {

    @Test
    void anAgentCallsTheToolsOfADemoPageInChromium() throws Exception {
        assumeTrue(dev.agentwire.server.testing.Chromium.installed(), "needs Debian's chromium (CI installs it)");
        Path dir = TestHubs.shortTempDir();
        try (AgentwireHub hub = TestHubs.start(dir);
                AgentwireClient agent = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            Path profile = dir.resolve("profile");
            // The browser logs in as the owner would with `aw open demo`: a one-time link, then the page.
            String login = agent.request(
                            "auth/login-code", Json.mapper().createObjectNode().put("page", "demo"))
                    .get(10, TimeUnit.SECONDS)
                    .path("url")
                    .asText();
            Process browser = dev.agentwire.server.testing.Chromium.start(login, profile);
            try {
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> agent.tools()
                                .list(null)
                                .get(10, TimeUnit.SECONDS)
                                .path("tools")
                                .findValuesAsText("name")
                                .containsAll(List.of("getPageContent", "getSelection", "listLinks", "clickElement")));
                JsonNode content = agent.tools()
                        .call("getPageContent", Json.mapper().createObjectNode().put("selector", "main"))
                        .get(20, TimeUnit.SECONDS);
                assertThat(content.path("isError").asBoolean())
                        .as(content.toString())
                        .isFalse();
                assertThat(content.path("structuredContent").path("text").asText())
                        .contains("This page provides four tools");
                assertThat(content.path("structuredContent").path("title").asText())
                        .contains("agentwire demo");
                JsonNode links = agent.tools().call("listLinks", null).get(20, TimeUnit.SECONDS);
                assertThat(links.path("structuredContent").path("links").findValuesAsText("href"))
                        .contains("https://example.com/one");
                agent.tools()
                        .call("clickElement", Json.mapper().createObjectNode().put("selector", "#counter"))
                        .get(20, TimeUnit.SECONDS);
                JsonNode clicked = agent.tools()
                        .call("getPageContent", Json.mapper().createObjectNode().put("selector", "#counter"))
                        .get(20, TimeUnit.SECONDS);
                assertThat(clicked.path("structuredContent").path("text").asText())
                        .isEqualTo("clicked 1 times");
                JsonNode missing = agent.tools()
                        .call("getPageContent", Json.mapper().createObjectNode().put("selector", "#nope"))
                        .get(20, TimeUnit.SECONDS);
                assertThat(missing.path("isError").asBoolean()).isTrue();
                assertThat(missing.path("content").get(0).path("text").asText()).contains("no element matches #nope");
            } finally {
                browser.destroy();
                assertThat(browser.waitFor(30, TimeUnit.SECONDS))
                        .as("chromium exits")
                        .isTrue();
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.core()
                                    .require(ToolTables.class)
                                    .of(hub.core().require(SessionManager.class).defaultSession())
                                    .size()
                            == 0);
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class,
                    () -> agent.tools()
                            .call(
                                    "getPageContent",
                                    Json.mapper().createObjectNode().put("selector", "main"))
                            .get(20, TimeUnit.SECONDS));
            assertThat(((RpcException) e.getCause()).code()).isEqualTo(-32002);
        }
    }
}
