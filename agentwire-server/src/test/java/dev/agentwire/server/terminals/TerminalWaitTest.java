package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code terminals/wait} with patterns from a hostile client (issue 11, finding 2): a catastrophic pattern, a
 * pattern that only a backtracking engine accepts, a wait that is cancelled or whose caller goes away, and more
 * waits than one terminal takes.
 */
class TerminalWaitTest {

    /** A bound for answers that must come "at once": generous, it only tells an answer from a hang. */
    private static final Duration AT_ONCE = Duration.ofSeconds(5);

    private AgentwireHub hub;
    private AgentwireClient client;
    private final List<AgentwireClient> others = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("terminals.maxWaitsPerTerminal", "4"));
        client = connect();
    }

    @AfterEach
    void stop() {
        others.forEach(AgentwireClient::close);
        client.close();
        hub.close();
    }

    private AgentwireClient connect() {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .requestTimeout(Duration.ofMinutes(5))
                .connect();
        others.add(c);
        return c;
    }

    private static CompletableFuture<JsonNode> call(AgentwireClient c, String method, String params) throws Exception {
        return c.request(method, Json.mapper().readTree(params));
    }

    private static RpcException failure(CompletableFuture<JsonNode> f, Duration within) throws Exception {
        try {
            JsonNode r = f.get(within.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected an error, got " + r);
        } catch (ExecutionException e) {
            return (RpcException) e.getCause();
        }
    }

    /** A terminal showing {@code text} (and then idle). */
    private String showing(String text) throws Exception {
        JsonNode r = call(
                        client,
                        "terminals/spawn",
                        "{\"command\":[\"sh\",\"-c\",\"printf %s " + text + "; exec sleep 1000\"],\"cols\":200}")
                .get(30, TimeUnit.SECONDS);
        String id = r.path("id").asText();
        call(client, "terminals/wait", "{\"id\":\"" + id + "\",\"pattern\":\"" + text + "\",\"timeoutMs\":20000}")
                .get(30, TimeUnit.SECONDS);
        return id;
    }

    private static String waitParams(String id, String pattern, long timeoutMs) throws Exception {
        return "{\"id\":\"" + id + "\",\"pattern\":" + Json.mapper().writeValueAsString(pattern) + ",\"timeoutMs\":"
                + timeoutMs + "}";
    }

    private static boolean someThreadIsMatching() {
        return Thread.getAllStackTraces().values().stream()
                .anyMatch(stack -> Arrays.stream(stack)
                        .anyMatch(f -> f.getClassName().startsWith("java.util.regex.")
                                || f.getClassName().startsWith("com.google.re2j.")));
    }

    @Test
    void aCatastrophicPatternTimesOutOnTimeAndPinsNoThread() throws Exception {
        String id = showing("a".repeat(48));
        CompletableFuture<JsonNode> wait = call(client, "terminals/wait", waitParams(id, "((a+)+)+b", 500));
        // Meanwhile the hub answers everyone else.
        AgentwireClient other = connect();
        for (int i = 0; i < 3; i++) {
            assertThat(call(other, "hub/ping", "{}").get(AT_ONCE.toMillis(), TimeUnit.MILLISECONDS))
                    .isNotNull();
        }
        RpcException e = failure(wait, AT_ONCE);
        assertThat(e.code()).isEqualTo(-32001);
        assertThat(e.getMessage()).contains("within 500 ms");
        // Nothing goes on matching after the answer.
        await().atMost(AT_ONCE).until(() -> !someThreadIsMatching());
        assertThat(call(other, "hub/ping", "{}").get(AT_ONCE.toMillis(), TimeUnit.MILLISECONDS))
                .isNotNull();
    }

    @Test
    void aPatternThatExpandsPastTheLimitIsRefusedBeforeItCompiles() throws Exception {
        String id = showing("ready");
        RpcException e =
                failure(call(client, "terminals/wait", waitParams(id, "((a{1000}){1000}){1000}", 500)), AT_ONCE);
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).contains("((a{1000}){1000}){1000}").contains("at most");
    }

    @Test
    void backreferencesAndLookaroundAreInvalidParamsNamingThePattern() throws Exception {
        String id = showing("abab");
        for (String pattern : List.of("(ab)\\1", "a(?=b)", "(?<!x)b")) {
            RpcException e = failure(call(client, "terminals/wait", waitParams(id, pattern, 500)), AT_ONCE);
            assertThat(e.code()).as(pattern).isEqualTo(-32602);
            assertThat(e.getMessage()).as(pattern).contains(pattern).contains("RE2");
            assertThat(e.data().path("reason").asText()).isEqualTo("invalid_pattern");
            assertThat(e.data().path("pattern").asText()).isEqualTo(pattern);
        }
    }

    @Test
    void aCancelledWaitAnswersAtOnce() throws Exception {
        String id = showing("ready");
        try (RawConnection raw = RawConnection.unix(hub.config().socketPath())) {
            raw.request(7, "terminals/wait", waitParams(id, "never-printed", 600_000));
            raw.sendLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                    + "\"params\":{\"requestId\":7,\"reason\":\"changed my mind\"}}");
            JsonNode answer = raw.readJson(AT_ONCE);
            assertThat(answer.path("id").asInt()).isEqualTo(7);
            assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32009);
            assertThat(answer.path("error").path("message").asText()).contains("changed my mind");
        }
    }

    @Test
    void waitsPerTerminalAreCappedAndFreedWhenTheirCallerVanishes() throws Exception {
        String id = showing("ready");
        // A caller on TCP that will vanish: its close resets the connection (SO_LINGER 0), as a crash does.
        try (Socket caller = new Socket("127.0.0.1", hub.tcpPort().getAsInt())) {
            caller.setSoLinger(true, 0);
            Writer out = new OutputStreamWriter(caller.getOutputStream(), StandardCharsets.UTF_8);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(caller.getInputStream(), StandardCharsets.UTF_8));
            out.write("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"hub/hello\",\"params\":{\"token\":\"" + hub.token()
                    + "\"}}\n");
            for (int i = 1; i <= 4; i++) {
                out.write("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"terminals/wait\",\"params\":"
                        + waitParams(id, "never-printed-" + i, 600_000) + "}\n");
            }
            // A connection's calls start in order: once the ping answers, the four waits are in place.
            out.write("{\"jsonrpc\":\"2.0\",\"id\":\"ping\",\"method\":\"hub/ping\"}\n");
            out.flush();
            caller.setSoTimeout((int) AT_ONCE.toMillis());
            for (String line = in.readLine(); !line.contains("\"ping\""); line = in.readLine()) {
                assertThat(line).doesNotContain("error");
            }
            // The fifth is refused, naming the limit; the four go on.
            RpcException e = failure(call(client, "terminals/wait", waitParams(id, "one-too-many", 600_000)), AT_ONCE);
            assertThat(e.code()).isEqualTo(-32008);
            assertThat(e.getMessage()).contains("terminals.maxWaitsPerTerminal").contains("4");
            assertThat(e.data().path("reason").asText()).isEqualTo("too_many_waits");
            assertThat(e.data().path("limit").asInt()).isEqualTo(4);
            // Another terminal has its own four.
            String other = showing("other");
            assertThat(call(client, "terminals/wait", waitParams(other, "other", 600_000))
                            .get(AT_ONCE.toMillis(), TimeUnit.MILLISECONDS)
                            .path("matched")
                            .asBoolean())
                    .isTrue();
        }
        // The caller is gone: its waits end with it, and the terminal takes new ones.
        await().atMost(AT_ONCE)
                .ignoreExceptions()
                .untilAsserted(() -> assertThat(call(client, "terminals/wait", waitParams(id, "ready", 600_000))
                                .get(AT_ONCE.toMillis(), TimeUnit.MILLISECONDS)
                                .path("matched")
                                .asBoolean())
                        .isTrue());
    }

    /** A terminal that prints a megabyte of {@code b}s, then {@code flood-done}; the hub's settings tweaked. */
    private String flood(String matchBudgetMs) throws Exception {
        hub.close();
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("terminals.matchBudgetMs", matchBudgetMs));
        client = connect();
        JsonNode r = call(
                        client,
                        "terminals/spawn",
                        "{\"command\":[\"sh\",\"-c\",\"sleep 1; head -c 1000000 /dev/zero | tr '\\\\0' b;"
                                + " echo; echo flood-done; exec sleep 1000\"]}")
                .get(30, TimeUnit.SECONDS);
        return r.path("id").asText();
    }

    /** Slow for any engine: every position starts 10,000 steps of work. */
    private static final String SLOW = "(?s)(.{100}){100}x";

    @Test
    void aMatchOverAHugeWindowStopsAtTheMatchBudget() throws Exception {
        // 2 s: the budget applies to every match, and on a loaded machine even the literal flood-done search over
        // the megabyte window took more than 200 ms; SLOW needs about 10^10 steps, far past any budget.
        String id = flood("2000");
        CompletableFuture<JsonNode> slow = call(client, "terminals/wait", waitParams(id, SLOW, 600_000));
        call(client, "terminals/wait", waitParams(id, "flood-done", 60_000)).get(60, TimeUnit.SECONDS);
        RpcException e = failure(slow, Duration.ofSeconds(30));
        assertThat(e.code()).isEqualTo(-32001);
        assertThat(e.data().path("reason").asText()).isEqualTo("match_budget");
        assertThat(e.getMessage()).contains("terminals.matchBudgetMs").contains("2000 ms");
    }

    @Test
    void aSlowMatchRunsOnTheMatchThreadsAndEndsAtTheWaitsDeadline() throws Exception {
        String id = flood("600000");
        // Asked before the flood (the terminal sleeps a second first): a wait matches the output that comes after
        // it, so asked after flood-done it had only the screen to look at, and the match was seen only when the
        // screen was still settling.
        CompletableFuture<JsonNode> slow = call(client, "terminals/wait", waitParams(id, SLOW, 4000));
        await().atMost(Duration.ofSeconds(4)).until(TerminalWaitTest::someThreadIsMatching);
        assertThat(Thread.getAllStackTraces().entrySet().stream()
                        .filter(t -> Arrays.stream(t.getValue())
                                .anyMatch(f -> f.getClassName().startsWith("com.google.re2j.")))
                        .map(t -> t.getKey().getName()))
                .isNotEmpty()
                .allMatch(name -> name.startsWith("aw-term-match-"));
        RpcException e = failure(slow, AT_ONCE);
        assertThat(e.code()).isEqualTo(-32001);
        assertThat(e.data().path("reason").asText()).isEqualTo("timeout");
        await().atMost(AT_ONCE).until(() -> !someThreadIsMatching());
    }

    @Test
    void noTerminalMethodRunsOnAnIoThread() {
        assertThat(hub.core().registry().all())
                .filteredOn(m -> m.name().startsWith("terminals/"))
                .hasSizeGreaterThan(10)
                .noneMatch(dev.agentwire.core.rpc.Method::inline);
    }
}
