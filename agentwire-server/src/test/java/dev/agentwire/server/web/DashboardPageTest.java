package dev.agentwire.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.Chromium;
import dev.agentwire.server.testing.DevTools;
import dev.agentwire.server.testing.TestHubs;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard at {@code /} in headless Chromium, worked as a person works it (its buttons clicked, its fields
 * filled, what it shows read back) over the DevTools protocol: logged in with {@code aw open}'s link, it shows a
 * connection as it arrives, calls a tool from its form (and refuses bad arguments without calling), tails a room
 * and sends to it, lists a terminal and opens it at its size; a token without {@code admin} sees no actions; a
 * browser without a login sees how to log in and no data. Screenshots land in {@code target/screenshots/}.
 */
class DashboardPageTest {

    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final Duration LONG = Duration.ofSeconds(60);

    private Path dir;
    private AgentwireHub hub;
    private AgentwireClient owner;
    private int port;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Chromium.installed(), "needs Debian's chromium (CI installs it)");
        dir = TestHubs.shortTempDir();
        hub = TestHubs.start(dir);
        port = hub.tcpPort().getAsInt();
        owner = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name("test-owner")
                .reconnect(false)
                .connect();
    }

    @AfterEach
    void stop() {
        if (owner != null) {
            owner.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private String loginLink(String page) throws Exception {
        return owner.request("auth/login-code", Json.mapper().createObjectNode().put("page", page))
                .get(10, TimeUnit.SECONDS)
                .path("url")
                .asText();
    }

    private String spawn(String name, int cols, int rows) throws Exception {
        return owner.request(
                        "terminals/spawn",
                        Json.mapper()
                                .readTree("{\"command\":[\"bash\",\"--norc\",\"--noprofile\"],\"env\":{\"PS1\":\"$ \"},"
                                        + "\"name\":\"" + name + "\",\"cols\":" + cols + ",\"rows\":" + rows + "}"))
                .get(30, TimeUnit.SECONDS)
                .path("id")
                .asText();
    }

    private static String text(DevTools b, String selector) throws Exception {
        return b.evaluate("(document.querySelector('" + selector + "') || {}).innerText || ''");
    }

    /** Sets a field's value as typing would (the page reads it on submit) and presses a button. */
    private static void fillAndPress(DevTools b, String field, String value, String button) throws Exception {
        b.evaluate("document.querySelector('" + field + "').value = "
                + Json.mapper().writeValueAsString(value));
        b.evaluate("document.querySelector('" + button + "').click()");
    }

    @Test
    void theOwnerSeesTheHubLiveAndActsFromThePage() throws Exception {
        String terminal = spawn("dash-term", 100, 30);
        AtomicInteger calls = new AtomicInteger();
        JsonNode schema = Json.mapper()
                .readTree(
                        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}},"
                                + "\"required\":[\"a\",\"b\"],\"additionalProperties\":false}");
        owner.tools()
                .register(new ToolSpec("adder", "Adds a and b", schema), (args, ctx) -> {
                    calls.incrementAndGet();
                    return CompletableFuture.completedFuture(Json.mapper()
                            .createObjectNode()
                            .put("sum", args.path("a").asInt() + args.path("b").asInt()));
                })
                .get(10, TimeUnit.SECONDS);
        try (DevTools b = DevTools.start(dir.resolve("owner"))) {
            b.viewport(1280, 800, false);
            b.navigate(loginLink("dashboard"));
            b.until("document.body.dataset.ready === 'true'", LONG);
            assertThat(b.evaluate("location.pathname + location.search"))
                    .as("the code left the address")
                    .isEqualTo("/");
            b.until("document.querySelector('#status-body').innerText.includes('healthy')", LONG);

            // Keyboard: the first Tab reaches the skip link, the next ones the views' links, each with a visible
            // focus ring.
            b.evaluate("document.activeElement.blur()");
            b.press("Tab", 9, false);
            assertThat(b.evaluate("document.activeElement.className")).isEqualTo("skip");
            b.press("Tab", 9, false);
            assertThat(b.evaluate("document.activeElement.textContent")).isEqualTo("Terminals page");
            assertThat(b.evaluate("getComputedStyle(document.activeElement).outlineStyle"))
                    .isEqualTo("solid");
            b.press("Tab", 9, false);
            assertThat(b.evaluate("document.activeElement.getAttribute('href')"))
                    .isEqualTo("#status");

            // A connection appears while the page is open.
            b.until("document.querySelector('#connections-body').innerText.includes('test-owner')", LONG);
            assertThat(text(b, "#connections-body")).doesNotContain("late-joiner");
            try (AgentwireClient late = AgentwireClient.builder()
                    .endpoint(hub.endpoint())
                    .name("late-joiner")
                    .reconnect(false)
                    .connect()) {
                b.until("document.querySelector('#connections-body').innerText.includes('late-joiner')", LONG);
                // Sorting by a column is a button press.
                b.evaluate("document.querySelector('#connections-body button[data-key=\"ageMs\"]').click()");
                assertThat(b.evaluate("document.querySelector('#connections-body th[aria-sort=\"descending\"]')"
                                + ".innerText"))
                        .contains("Age");
            }

            // A tool called from the form; its result shown.
            b.until("document.querySelector('#tool-list button[data-tool=\"adder\"]')", LONG);
            b.evaluate("document.querySelector('#tool-list button[data-tool=\"adder\"]').click()");
            b.until("!document.querySelector('#tool-form').hidden", LONG);
            fillAndPress(b, "#tool-args", "{\"a\": 2, \"b\": 40}", "#tool-call");
            b.until("document.querySelector('#tool-result').innerText.includes('\"sum\": 42')", LONG);
            assertThat(calls).hasValue(1);

            // Arguments that are not JSON, or that the schema refuses, are shown as errors and never sent.
            fillAndPress(b, "#tool-args", "{\"a\": 2,", "#tool-call");
            b.until("document.querySelector('#tool-errors').innerText.includes('not JSON')", LONG);
            fillAndPress(b, "#tool-args", "{\"a\": \"two\", \"b\": 1, \"c\": 3}", "#tool-call");
            b.until("document.querySelector('#tool-errors').innerText.includes('$.a must be integer')", LONG);
            assertThat(text(b, "#tool-errors")).contains("$.c is not an allowed property");
            fillAndPress(b, "#tool-args", "{\"a\": 1}", "#tool-call");
            b.until("document.querySelector('#tool-errors').innerText.includes('$.b is required')", LONG);
            assertThat(text(b, "#tool-result")).isEmpty();
            assertThat(calls).as("the provider saw only the good call").hasValue(1);

            // A room's tail, live, and a message sent from the page.
            fillAndPress(b, "#room-name", "lobby", "#room-open button");
            b.until("document.querySelector('#room-current').innerText === 'Tail of lobby'", LONG);
            owner.request(
                            "rooms/publish",
                            Json.mapper()
                                    .createObjectNode()
                                    .put("room", "lobby")
                                    .put("text", "from-the-agent"))
                    .get(10, TimeUnit.SECONDS);
            b.until("document.querySelector('#room-tail').innerText.includes('from-the-agent')", LONG);
            fillAndPress(b, "#room-text", "hello from the page", "#room-send button");
            b.until("document.querySelector('#room-tail').innerText.includes('hello from the page')", LONG);
            JsonNode history = owner.request(
                            "rooms/history", Json.mapper().createObjectNode().put("room", "lobby"))
                    .get(10, TimeUnit.SECONDS);
            assertThat(history.path("messages").findValuesAsText("text"))
                    .containsExactly("from-the-agent", "hello from the page");
            b.until("document.querySelector('#rooms-body').innerText.includes('lobby')", LONG);

            // Services: one served by the owner shows with its numbers.
            owner.services()
                    .serve(
                            "naming",
                            (request, context) -> CompletableFuture.completedFuture(
                                    Json.mapper().createObjectNode().put("ok", true)))
                    .get(10, TimeUnit.SECONDS);
            b.until("document.querySelector('#services-body').innerText.includes('naming')", LONG);

            // The terminal is listed with its size; its link opens it at that size.
            b.until("document.querySelector('#terminals-body').innerText.includes('dash-term')", LONG);
            assertThat(text(b, "#terminals-body")).contains("100×30").contains("running");
            assertThat(text(b, "#cluster-body")).contains("not in a cluster");
            // The call log: "not available" on a hub without calls/list; with it, the call made above.
            b.until(
                    "((t) => t.includes('not available') || t.includes('adder'))"
                            + "(document.querySelector('#calls-body').innerText)",
                    LONG);

            screenshots(b, "dashboard");

            b.evaluate("document.querySelector('#terminals-body a.terminal-link').click()");
            b.until("location.pathname === '/terminals' && document.body.dataset.ready === 'true'", LONG);
            assertThat(b.evaluate("location.hash")).isEqualTo("#" + terminal);
            b.until("document.querySelectorAll('#term .xterm-rows > div').length === 30", LONG);
            assertThat(text(b, "#current")).contains("100×30");
            JsonNode screen = owner.tools()
                    .call("terminalsPageScreen", null)
                    .get(10, TimeUnit.SECONDS)
                    .path("structuredContent");
            assertThat(screen.path("cols").asInt()).isEqualTo(100);
            assertThat(screen.path("rows").asInt()).isEqualTo(30);
            assertThat(b.evaluate("document.querySelectorAll('#new-terminal, #kill').length"))
                    .isEqualTo("2");
            b.screenshot(SHOTS.resolve("terminals-1280.png"));
            b.viewport(390, 844, true);
            b.screenshot(SHOTS.resolve("terminals-phone.png"));
            b.viewport(1280, 800, false);
            b.colorScheme("dark");
            b.screenshot(SHOTS.resolve("terminals-dark.png"));
        }
    }

    /**
     * The call log view against the contract shared with the call log's worker ({@code calls/list} and the
     * {@code calls} events' records): the page's own view module, fed records of that shape, shows them newest
     * first, with errors and arguments. (This hub has no {@code calls/list} yet; the live view says so.)
     */
    @Test
    void theCallLogViewShowsRecordsOfTheSharedShape() throws Exception {
        try (DevTools b = DevTools.start(dir.resolve("calls"))) {
            b.viewport(1280, 800, false);
            b.navigate(loginLink("dashboard"));
            b.until("document.body.dataset.ready === 'true'", LONG);
            String shown = b.evaluate("(async () => {"
                    + " const { callsView } = await import('/dashboard/views.js');"
                    + " const older = { id: 1, at: Date.now() - 60000, kind: 'tool', session: 'default',"
                    + "   caller: 'agent-a', target: 'adder', arguments: { a: 1, token: '[redacted]' }, durationMs: 12,"
                    + "   resultBytes: 2048, error: null };"
                    + " const fake = { has: () => true, count: () => {}, hub: { request: async (method, params) =>"
                    + "   (method === 'calls/list' && params.limit === 100 ? { calls: [older] } : {}) } };"
                    // The live view keeps its element; the one under test gets a fresh one of the same id.
                    + " const live = document.getElementById('calls-body'); live.id = 'calls-body-live';"
                    + " live.after(Object.assign(document.createElement('div'), { id: 'calls-body' }));"
                    + " const view = callsView(fake);"
                    + " await view.refresh();"
                    + " view.on.calls('recorded', { id: 2, at: Date.now(), kind: 'service', session: 'default',"
                    + "   caller: 'uid:1000', target: 'naming/allocate', arguments: {}, durationMs: 250,"
                    + "   resultBytes: 0, error: { code: -32001, message: 'timed out' } });"
                    + " return [...document.querySelectorAll('#calls-body tbody tr')].map((r) => r.innerText"
                    + "   .replace(/\\s+/g, ' ')).join('\\n'); })()");
            String[] rows = shown.split("\n");
            assertThat(rows).hasSize(2);
            assertThat(rows[0]).contains("service", "uid:1000", "naming/allocate", "250 ms", "-32001 timed out");
            assertThat(rows[1]).contains("tool", "agent-a", "adder", "12.0 ms", "2.0 KiB", "ok");
            assertThat(
                            b.evaluate(
                                    "[...document.querySelectorAll('#calls-body details pre')].map((p) => p.textContent).join()"))
                    .contains("[redacted]");
        }
    }

    @Test
    void aTokenWithoutAdminSeesTheHubButNoActions() throws Exception {
        String terminal = spawn("watched", 90, 24);
        String token = owner.request(
                        "tokens/create",
                        Json.mapper()
                                .readTree("{\"sub\":\"watcher\",\"scopes\":[\"tools:call\",\"rooms:read:*\","
                                        + "\"services:request\",\"terminals\",\"events:*\"],\"ttlSeconds\":600}"))
                .get(10, TimeUnit.SECONDS)
                .path("token")
                .asText();
        try (DevTools b = DevTools.start(dir.resolve("watcher"))) {
            b.viewport(1280, 800, false);
            b.navigate("http://127.0.0.1:" + port + "/#token=" + token);
            b.until("document.body.dataset.ready === 'true'", LONG);
            assertThat(text(b, "#mode")).contains("Read-only").contains("watcher");
            b.until("document.querySelector('#terminals-body').innerText.includes('watched')", LONG);
            assertThat(text(b, "#connections-body")).contains("needs the admin scope");
            fillAndPress(b, "#room-name", "lobby", "#room-open button");
            b.until("document.querySelector('#room-current').innerText === 'Tail of lobby'", LONG);
            // No action can be pressed: the call and send buttons are hidden, nothing else acts.
            assertThat(b.evaluate("[...document.querySelectorAll('#tool-call, #room-send button')]"
                            + ".filter((e) => e.offsetParent !== null).length"))
                    .isEqualTo("0");
            b.fullScreenshot(SHOTS.resolve("dashboard-readonly.png"));

            b.navigate("http://127.0.0.1:" + port + "/terminals#token=" + token + "&id=" + terminal);
            b.until("document.body.dataset.ready === 'true'", LONG);
            b.until("document.querySelectorAll('#term .xterm-rows > div').length === 24", LONG);
            assertThat(text(b, "#mode")).contains("Read-only");
            assertThat(b.evaluate("document.querySelectorAll('#new-terminal, #kill, #size, #spawn').length"))
                    .as("no new-terminal, kill or resize for a watcher")
                    .isEqualTo("0");
            assertThat(text(b, "#sessions")).contains("watched");
        }
    }

    @Test
    void withoutALoginThePageSaysHowToLogInAndShowsNoData() throws Exception {
        spawn("secret-term", 80, 24);
        try (DevTools b = DevTools.start(dir.resolve("stranger"))) {
            b.viewport(1280, 800, false);
            b.navigate("http://127.0.0.1:" + port + "/");
            b.until("document.body.dataset.ready === 'login'", LONG);
            assertThat(text(b, "#login")).contains("aw open dashboard");
            assertThat(b.evaluate("document.body.innerText")).doesNotContain("secret-term");
            assertThat(text(b, "#connections-body")).isEmpty();
            b.screenshot(SHOTS.resolve("dashboard-login.png"));
        }
        // The page goes through the same door as every other: a Host that is not this hub gets nothing.
        assertThat(rawGet("/", "rebound.example:" + port)).startsWith("HTTP/1.1 403");
        String page = rawGet("/", "127.0.0.1:" + port);
        assertThat(page).startsWith("HTTP/1.1 200").contains("content-security-policy: default-src 'self'");
        assertThat(page).doesNotContain("secret-term");
        assertThat(rawGet("/dashboard/app.js", "127.0.0.1:" + port)).startsWith("HTTP/1.1 200");
    }

    private static void screenshots(DevTools b, String name) throws Exception {
        b.viewport(1280, 800, false);
        b.evaluate("window.scrollTo(0, 0)");
        assertThat(b.fullScreenshot(SHOTS.resolve(name + "-1280.png"))).isGreaterThan(5000);
        b.viewport(390, 844, true);
        b.until("document.querySelector('main').getBoundingClientRect().width <= 390", LONG);
        assertThat(b.evaluate("document.documentElement.scrollWidth <= 390"))
                .as("nothing wider than the phone")
                .isEqualTo("true");
        assertThat(b.screenshot(SHOTS.resolve(name + "-phone-top.png"))).isGreaterThan(5000);
        assertThat(b.fullScreenshot(SHOTS.resolve(name + "-phone.png"))).isGreaterThan(5000);
        b.viewport(1280, 800, false);
        b.colorScheme("dark");
        assertThat(b.evaluate("getComputedStyle(document.body).backgroundColor"))
                .isEqualTo("rgb(17, 20, 24)");
        assertThat(b.fullScreenshot(SHOTS.resolve(name + "-dark.png"))).isGreaterThan(5000);
        b.colorScheme("light");
    }

    /** A GET with the {@code Host} given, on a plain socket (Java's HTTP client sets Host itself); the answer's head. */
    private String rawGet(String path, String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return all.toLowerCase(java.util.Locale.ROOT).startsWith("http/1.1")
                    ? all.substring(0, 8) + all.substring(8).toLowerCase(java.util.Locale.ROOT)
                    : all;
        }
    }
}
