package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.Chromium;
import dev.agentwire.server.testing.DevTools;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code /terminals} view in headless Chromium, worked through its own controls: xterm.js drawn at the
 * session's columns and rows, also after an agent resizes the session; a program that floods the terminal does
 * not flood the page (flow control), which ends up showing the screen; new-terminal and kill buttons.
 */
class TerminalsViewTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    private Path dir;
    private AgentwireHub hub;
    private AgentwireClient agent;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Chromium.installed(), "needs Debian's chromium (CI installs it)");
        dir = TestHubs.shortTempDir();
        hub = TestHubs.start(dir);
        agent = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private String spawn(int cols, int rows) throws Exception {
        String id = agent.request(
                        "terminals/spawn",
                        Json.mapper()
                                .readTree("{\"command\":[\"bash\",\"--norc\",\"--noprofile\"],\"env\":{\"PS1\":\"$ \"},"
                                        + "\"name\":\"shell\",\"cols\":" + cols + ",\"rows\":" + rows + "}"))
                .get(30, TimeUnit.SECONDS)
                .path("id")
                .asText();
        agent.request(
                        "terminals/wait",
                        Json.mapper().createObjectNode().put("id", id).put("pattern", "(?m)^\\$"))
                .get(30, TimeUnit.SECONDS);
        return id;
    }

    private DevTools open(String id) throws Exception {
        DevTools b = DevTools.start(dir.resolve("profile"));
        b.viewport(1400, 900, false);
        String link = agent.request(
                        "auth/login-code", Json.mapper().createObjectNode().put("page", "terminals"))
                .get(10, TimeUnit.SECONDS)
                .path("url")
                .asText();
        b.navigate(link + "#" + id);
        b.until("document.body.dataset.ready === 'true'", LONG);
        return b;
    }

    /** What xterm.js in the page holds: {cols, rows, drawn rows, lines}. */
    private static JsonNode shown(DevTools b) throws Exception {
        return Json.mapper()
                .readTree(b.evaluate("(() => { const rows = document.querySelectorAll('#term .xterm-rows > div');"
                        + " return { rowsDrawn: rows.length, text: [...rows].map((r) => r.textContent).join('\\n'),"
                        + " heading: document.getElementById('current').textContent }; })()"));
    }

    @Test
    void theViewFollowsAResizeMadeByAnAgent() throws Exception {
        String id = spawn(80, 20);
        try (DevTools b = open(id)) {
            b.until("document.querySelectorAll('#term .xterm-rows > div').length === 20", LONG);
            agent.request(
                            "terminals/resize",
                            Json.mapper()
                                    .createObjectNode()
                                    .put("id", id)
                                    .put("cols", 100)
                                    .put("rows", 30))
                    .get(10, TimeUnit.SECONDS);
            // Not 80×20 any more: the page draws what the session is.
            b.until("document.querySelectorAll('#term .xterm-rows > div').length === 30", LONG);
            assertThat(shown(b).path("heading").asText()).contains("100×30");
            JsonNode screen = agent.tools()
                    .call("terminalsPageScreen", null)
                    .get(10, TimeUnit.SECONDS)
                    .path("structuredContent");
            assertThat(screen.path("cols").asInt()).isEqualTo(100);
            assertThat(screen.path("rows").asInt()).isEqualTo(30);
            // And the program sees the same size.
            agent.request(
                            "terminals/input",
                            Json.mapper().createObjectNode().put("id", id).put("text", "tput cols\r"))
                    .get(10, TimeUnit.SECONDS);
            b.until("document.querySelector('#term .xterm-rows').textContent.includes('100')", LONG);
        }
    }

    @Test
    void aFloodingProgramDoesNotFloodThePage() throws Exception {
        String id = spawn(100, 30);
        try (DevTools b = open(id)) {
            JsonNode listed = agent.request("terminals/list").get(10, TimeUnit.SECONDS);
            assertThat(listed.path("terminals").get(0).path("viewers").asInt()).isEqualTo(1);
            // Some 40 MB of output: far past the high water mark, so the hub pauses the page and later sends the
            // screen anew; the page ends up showing the end of it.
            agent.request(
                            "terminals/input",
                            Json.mapper()
                                    .createObjectNode()
                                    .put("id", id)
                                    .put("text", "seq 1 5000000; echo flood-$((6*7))-done\r"))
                    .get(10, TimeUnit.SECONDS);
            agent.request(
                            "terminals/wait",
                            Json.mapper()
                                    .createObjectNode()
                                    .put("id", id)
                                    .put("pattern", "flood-42-done")
                                    .put("timeoutMs", 120_000))
                    .get(130, TimeUnit.SECONDS);
            await().atMost(LONG)
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> shown(b).path("text").asText().contains("flood-42-done"));
            assertThat(shown(b).path("text").asText()).contains("5000000");
            long sent = 0;
            for (JsonNode c :
                    agent.request("hub/connections").get(10, TimeUnit.SECONDS).path("connections")) {
                if (c.path("name").asText().equals("terminals page")) {
                    sent = c.path("bytesOut").asLong();
                }
            }
            // The hub held back what the page had not drawn: it sent the page less than the ~44 MB the PTY gave.
            assertThat(sent).isPositive().isLessThan(30_000_000L);
            // The page still answers at once: it was never handed the whole flood to draw.
            assertThat(b.evaluate("1 + 1")).isEqualTo("2");
        }
    }

    @Test
    void newTerminalAndKillButtons() throws Exception {
        String first = spawn(80, 24);
        try (DevTools b = open(first)) {
            b.evaluate("document.getElementById('spawn-name').value = 'made-in-page'");
            b.evaluate("document.getElementById('spawn-cols').value = '90'");
            b.evaluate("document.getElementById('spawn-rows').value = '25'");
            b.evaluate("document.getElementById('new-terminal').click()");
            b.until("document.getElementById('current').textContent.includes('made-in-page')", LONG);
            b.until("document.querySelectorAll('#term .xterm-rows > div').length === 25", LONG);
            JsonNode made = null;
            for (JsonNode t :
                    agent.request("terminals/list").get(10, TimeUnit.SECONDS).path("terminals")) {
                if (t.path("name").asText().equals("made-in-page")) {
                    made = t;
                }
            }
            assertThat(made).as("the page started a terminal").isNotNull();
            assertThat(made.path("cols").asInt()).isEqualTo(90);
            assertThat(made.path("rows").asInt()).isEqualTo(25);
            assertThat(b.evaluate("document.querySelectorAll('#sessions button').length"))
                    .isEqualTo("2");

            b.evaluate("document.getElementById('kill').click()");
            String id = made.path("id").asText();
            await().atMost(LONG).until(() -> {
                for (JsonNode t : agent.request("terminals/list")
                        .get(10, TimeUnit.SECONDS)
                        .path("terminals")) {
                    if (t.path("id").asText().equals(id)) {
                        return t.path("status").asText().equals("exited");
                    }
                }
                return true;
            });
            // The list shows the exit without a reload; the kill button goes with the running process.
            b.until(
                    "document.querySelector('#sessions button[data-id=\"" + id + "\"]').textContent.includes('exited')",
                    LONG);
            b.until("document.getElementById('kill').hidden", LONG);
        }
    }
}
