package dev.agentwire.server.tools;

import static dev.agentwire.server.testing.RpcFailures.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.sessions.SessionManager;
import dev.agentwire.core.tools.ToolRelay;
import dev.agentwire.core.tools.ToolTables;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tools over real sockets: providers on TCP and UDS, agents on UDS, and providers that misbehave. */
class ToolsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private AgentwireHub hub;
    private final List<AgentwireClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(
                TestHubs.shortTempDir(),
                b -> b.set("limits.ratePerSecond", "0")
                        .set("tools.maxPerSession", "100")
                        .set("tools.maxResultBytes", "4KiB"));
    }

    @AfterEach
    void stop() {
        clients.forEach(AgentwireClient::close);
        hub.close();
    }

    private AgentwireClient agent(String name) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name(name)
                .reconnect(false)
                .connect();
        clients.add(c);
        return c;
    }

    private AgentwireClient tcpProvider(String name) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                .token(hub.token())
                .name(name)
                .handlerThreads(8)
                .reconnect(false)
                .connect();
        clients.add(c);
        return c;
    }

    private static ObjectNode schema(String json) throws Exception {
        return (ObjectNode) Json.mapper().readTree(json);
    }

    private static ToolSpec echo() throws Exception {
        return new ToolSpec(
                "echo",
                "echoes its arguments",
                schema(
                        "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"},\"n\":{\"type\":\"integer\"}},"
                                + "\"required\":[\"text\"]}"));
    }

    private static JsonNode args(String json) throws Exception {
        return Json.mapper().readTree(json);
    }

    @Test
    void anAgentOnUdsCallsAProviderOnTcpAndGetsACallToolResult() throws Exception {
        AgentwireClient provider = tcpProvider("provider");
        provider.tools()
                .register(echo(), (a, ctx) -> CompletableFuture.completedFuture(a))
                .get(10, TimeUnit.SECONDS);
        AgentwireClient agent = agent("agent");
        JsonNode list = agent.tools().list(null).get(10, TimeUnit.SECONDS);
        assertThat(list.path("tools").get(0).path("name").asText()).isEqualTo("echo");
        assertThat(list.path("tools")
                        .get(0)
                        .path("inputSchema")
                        .path("required")
                        .get(0)
                        .asText())
                .isEqualTo("text");
        JsonNode r =
                agent.tools().call("echo", args("{\"text\":\"hi\",\"n\":3}")).get(10, TimeUnit.SECONDS);
        assertThat(r.path("isError").asBoolean()).as(r.toString()).isFalse();
        assertThat(r.path("structuredContent").path("text").asText()).isEqualTo("hi");
        assertThat(r.path("content").get(0).path("type").asText()).isEqualTo("text");
        assertThat(Json.mapper()
                        .readTree(r.path("content").get(0).path("text").asText())
                        .path("n")
                        .asInt())
                .isEqualTo(3);
    }

    @Test
    void eightAgentsTimesFiveHundredConcurrentCallsEachGetTheirOwnResults() throws Exception {
        AgentwireClient provider = tcpProvider("provider");
        provider.tools()
                .register(echo(), (a, ctx) -> CompletableFuture.completedFuture(a))
                .get(10, TimeUnit.SECONDS);
        List<AgentwireClient> agents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            agents.add(agent("agent-" + i));
        }
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int a = 0; a < 8; a++) {
            for (int i = 0; i < 500; i++) {
                String text = "agent-" + a + "/call-" + i;
                expected.add(text);
                calls.add(agents.get(a)
                        .tools()
                        .call("echo", Json.mapper().createObjectNode().put("text", text)));
            }
        }
        for (int i = 0; i < calls.size(); i++) {
            JsonNode r = calls.get(i).get(60, TimeUnit.SECONDS);
            assertThat(r.path("structuredContent").path("text").asText()).isEqualTo(expected.get(i));
        }
        assertThat(hub.core().require(ToolRelay.class).pending()).isZero();
    }

    @Test
    void unknownToolIsNoProviderAtOnce() throws Exception {
        RpcException e = rpcError(agent("a").tools().call("nope", null));
        assertThat(e.code()).isEqualTo(-32002);
        assertThat(e.getMessage()).contains("no live provider for tool nope");
    }

    @Test
    void argumentsThatBreakTheSchemaAreInvalidParamsWithThePath() throws Exception {
        AgentwireClient provider = tcpProvider("p");
        AtomicLong seen = new AtomicLong();
        provider.tools()
                .register(echo(), (a, ctx) -> {
                    seen.incrementAndGet();
                    return CompletableFuture.completedFuture(a);
                })
                .get(10, TimeUnit.SECONDS);
        RpcException e = rpcError(agent("a").tools().call("echo", args("{\"text\":\"x\",\"n\":\"three\"}")));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.data().path("path").asText()).isEqualTo("$.n");
        RpcException missing = rpcError(agent("b").tools().call("echo", args("{}")));
        assertThat(missing.getMessage()).contains("text");
        assertThat(seen).as("the provider never saw a bad call").hasValue(0);
    }

    @Test
    void badSchemasAreRefusedAtRegister() throws Exception {
        AgentwireClient p = agent("p");
        for (String bad : List.of(
                "{\"type\":5}",
                "{\"type\":\"string\"}",
                "[1]",
                "{\"properties\":{\"a\":{\"type\":\"nope\"}},\"type\":\"object\"}")) {
            ObjectNode params = Json.mapper().createObjectNode();
            ObjectNode tool = params.putArray("tools").addObject();
            tool.put("name", "t")
                    .put("description", "d")
                    .set("inputSchema", Json.mapper().readTree(bad));
            RpcException e = rpcError(p.request("tools/register", params));
            assertThat(e.code()).as(bad).isEqualTo(-32602);
            assertThat(e.getMessage()).as(bad).contains("tool t").contains("inputSchema");
        }
        ObjectNode noName = Json.mapper().createObjectNode();
        noName.putArray("tools").addObject().put("description", "d");
        assertThat(rpcError(p.request("tools/register", noName)).getMessage()).contains("tools[0].name");
    }

    @Test
    void aSecondProviderOfTheSameNameIsRefusedUnlessItReplaces() throws Exception {
        AgentwireClient first = tcpProvider("first");
        first.tools()
                .register(
                        echo(),
                        (a, ctx) -> CompletableFuture.completedFuture(
                                Json.mapper().getNodeFactory().textNode("first")))
                .get(10, TimeUnit.SECONDS);
        AgentwireClient second = tcpProvider("second");
        RpcException e = rpcError(second.tools().register(echo(), (a, ctx) -> CompletableFuture.completedFuture(a)));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.reason()).isEqualTo("tool_exists");
        assertThat(e.getMessage()).contains("replace");
        second.tools()
                .register(
                        echo(),
                        (a, ctx) -> CompletableFuture.completedFuture(
                                Json.mapper().getNodeFactory().textNode("second")),
                        true)
                .get(10, TimeUnit.SECONDS);
        JsonNode r = agent("a").tools().call("echo", args("{\"text\":\"x\"}")).get(10, TimeUnit.SECONDS);
        assertThat(r.path("content").get(0).path("text").asText()).isEqualTo("second");
    }

    @Test
    void aProviderThatDisconnectsFailsEveryPendingCallAtOnce() throws Exception {
        AgentwireClient provider = tcpProvider("p");
        provider.tools().register(echo(), (a, ctx) -> new CompletableFuture<>()).get(10, TimeUnit.SECONDS);
        AgentwireClient agent = agent("a");
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            calls.add(agent.tools().call("echo", args("{\"text\":\"x\"}")));
        }
        await().atMost(WAIT).until(() -> hub.core().require(ToolRelay.class).pending() == 5);
        provider.close();
        for (CompletableFuture<JsonNode> c : calls) {
            assertThat(rpcError(c).code()).isEqualTo(-32003);
        }
        assertThat(rpcError(agent.tools().call("echo", args("{\"text\":\"x\"}")))
                        .code())
                .as("its tools are gone with it")
                .isEqualTo(-32002);
    }

    @Test
    void timeoutsProgressAndCancellation() throws Exception {
        AgentwireClient provider = tcpProvider("p");
        List<JsonNode> cancelledAtProvider = new CopyOnWriteArrayList<>();
        provider.onNotification("notifications/cancelled", cancelledAtProvider::add);
        provider.tools()
                .register(ToolSpec.of("slow", "never answers"), (a, ctx) -> new CompletableFuture<>())
                .get(10, TimeUnit.SECONDS);
        provider.tools()
                .register(ToolSpec.of("steps", "reports progress, then answers"), (a, ctx) -> {
                    for (int i = 1; i <= 3; i++) {
                        ctx.progress(i, 3.0, "step " + i);
                    }
                    return CompletableFuture.completedFuture(
                            Json.mapper().getNodeFactory().textNode("done"));
                })
                .get(10, TimeUnit.SECONDS);
        AgentwireClient agent = agent("a");
        RpcException timeout = rpcError(agent.tools().call("slow", null, Duration.ofMillis(300), null));
        assertThat(timeout.code()).isEqualTo(-32001);
        assertThat(timeout.getMessage()).contains("timed out after 300 ms");
        await().atMost(WAIT).until(() -> cancelledAtProvider.size() == 1);
        List<JsonNode> progress = new CopyOnWriteArrayList<>();
        JsonNode r = agent.tools()
                .call("steps", null, Duration.ofSeconds(10), progress::add)
                .get(10, TimeUnit.SECONDS);
        assertThat(r.path("content").get(0).path("text").asText()).isEqualTo("done");
        await().atMost(WAIT).until(() -> progress.size() == 3);
        assertThat(progress.get(2).path("message").asText()).isEqualTo("step 3");
        // Cancel a call by its id, as MCP clients do.
        try (RawConnection raw = RawConnection.unix(hub.config().socketPath())) {
            raw.request(77, "tools/call", "{\"name\":\"slow\",\"arguments\":{}}");
            await().atMost(WAIT).until(() -> hub.core().require(ToolRelay.class).pending() == 1);
            raw.sendLine(
                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":77,\"reason\":\"user\"}}");
            JsonNode e = raw.readJson();
            assertThat(e.path("id").asInt()).isEqualTo(77);
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32009);
            await().atMost(WAIT).until(() -> cancelledAtProvider.size() == 2);
            assertThat(cancelledAtProvider.get(1).path("reason").asText()).isEqualTo("user");
        }
    }

    @Test
    void aProviderThatAnswersStrangeIdsOrTwiceDoesNotConfuseTheHub() throws Exception {
        try (RawConnection provider = RawConnection.unix(hub.config().socketPath())) {
            provider.request(
                    1,
                    "tools/register",
                    "{\"tools\":[{\"name\":\"raw\",\"description\":\"d\",\"inputSchema\":{\"type\":\"object\"}}]}");
            JsonNode registered = provider.readJson();
            while (!registered.has("id")) {
                registered = provider.readJson(); // its own list_changed comes first
            }
            assertThat(registered.path("result").path("registered").get(0).asText())
                    .isEqualTo("raw");
            provider.sendLine("{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":\"never asked\"}");
            AgentwireClient agent = agent("a");
            CompletableFuture<JsonNode> call = agent.tools().call("raw", args("{\"q\":1}"));
            JsonNode relayed = provider.readJson();
            while (!relayed.has("id")) {
                relayed = provider.readJson(); // skip list_changed
            }
            assertThat(relayed.path("method").asText()).isEqualTo("tools/call");
            assertThat(relayed.path("params").path("arguments").path("q").asInt())
                    .isEqualTo(1);
            long id = relayed.path("id").asLong();
            provider.sendLine("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"first\"}");
            provider.sendLine("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"second\"}");
            assertThat(call.get(10, TimeUnit.SECONDS)
                            .path("content")
                            .get(0)
                            .path("text")
                            .asText())
                    .isEqualTo("first");
            provider.request(2, "hub/ping", null);
            assertThat(provider.readJson().path("result").path("pong").asBoolean())
                    .as("the provider is still served")
                    .isTrue();
            await().atMost(WAIT)
                    .until(() -> hub.core().connections().stream()
                                    .mapToLong(c -> c.requests().unmatchedReplies())
                                    .sum()
                            == 2);
        }
    }

    /**
     * A provider's result reaches its caller as the provider wrote it, spaces, escapes and number forms kept, with
     * {@code isError} put in front when it is missing: the hub splices it, it does not parse it and write it again.
     * One written over several lines still reaches a line-delimited caller as one line.
     */
    @Test
    void aProvidersResultIsRelayedAsItWasWritten() throws Exception {
        try (RawConnection provider = RawConnection.unix(hub.config().socketPath());
                RawConnection agent = RawConnection.unix(hub.config().socketPath())) {
            sendPrefixed(
                    provider,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/register\",\"params\":{\"tools\":"
                            + "[{\"name\":\"raw\",\"description\":\"d\",\"inputSchema\":{\"type\":\"object\"}}]}}");
            while (!readPrefixed(provider).has("id")) {
                // its own list_changed comes first
            }
            String written =
                    "{\"content\":[{\"type\":\"text\",\"text\":\"caf\\u00e9\"}], \"structuredContent\":{\"x\":1.50}}";
            agent.request(1, "tools/call", "{\"name\":\"raw\",\"arguments\":{}}");
            sendPrefixed(provider, "{\"jsonrpc\":\"2.0\",\"id\":" + callId(provider) + ",\"result\":" + written + "}");
            assertThat(answerLine(agent, 1))
                    .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"isError\":false," + written.substring(1)
                            + "}");

            agent.request(2, "tools/call", "{\"name\":\"raw\",\"arguments\":{}}");
            sendPrefixed(
                    provider,
                    "{\"jsonrpc\":\"2.0\",\"id\":" + callId(provider)
                            + ",\"result\":{\n  \"content\": [],\n  \"isError\": true\n}}");
            JsonNode second = Json.mapper().readTree(answerLine(agent, 2));
            assertThat(second.path("result").path("isError").asBoolean())
                    .as(second.toString())
                    .isTrue();
            assertThat(second.path("result").path("content").isArray()).isTrue();
        }
    }

    private static void sendPrefixed(RawConnection c, String json) throws Exception {
        byte[] b = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        c.send(java.nio.ByteBuffer.allocate(4 + b.length)
                .putInt(b.length)
                .put(b)
                .array());
    }

    private static JsonNode readPrefixed(RawConnection c) throws Exception {
        int n = java.nio.ByteBuffer.wrap(c.readBytes(4, WAIT)).getInt();
        return Json.mapper().readTree(c.readBytes(n, WAIT));
    }

    /** The id of the next tools/call the provider gets. */
    private static long callId(RawConnection provider) throws Exception {
        JsonNode m = readPrefixed(provider);
        while (!"tools/call".equals(m.path("method").asText())) {
            m = readPrefixed(provider);
        }
        return m.path("id").asLong();
    }

    /** The line answering request {@code id}, skipping notifications. */
    private static String answerLine(RawConnection agent, int id) throws Exception {
        String line = agent.readLine(WAIT);
        while (!line.startsWith("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",")) {
            line = agent.readLine(WAIT);
        }
        return line;
    }

    @Test
    void aResultOverTheLimitIsTooLargeForTheCaller() throws Exception {
        AgentwireClient provider = tcpProvider("p");
        provider.tools()
                .register(
                        ToolSpec.of("big", "a big answer"),
                        (a, ctx) -> CompletableFuture.completedFuture(
                                Json.mapper().getNodeFactory().textNode("x".repeat(5000))))
                .get(10, TimeUnit.SECONDS);
        RpcException e = rpcError(agent("a").tools().call("big", null));
        assertThat(e.code()).isEqualTo(-32006);
        assertThat(e.data().path("limit").asInt()).isEqualTo(4096);
        assertThat(provider.isConnected()).as("the provider is not punished").isTrue();
    }

    @Test
    void registeringTooManyToolsAnswersWithTheLimit() throws Exception {
        ObjectNode params = Json.mapper().createObjectNode();
        var tools = params.putArray("tools");
        for (int i = 0; i < 10_000; i++) {
            tools.addObject()
                    .put("name", "t" + i)
                    .put("description", "d")
                    .putObject("inputSchema")
                    .put("type", "object");
        }
        RpcException e = rpcError(agent("p").request("tools/register", params));
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.data().path("limit").asInt()).isEqualTo(100);
        assertThat(e.getMessage()).contains("at most 100 tools");
        assertThat(hub.core()
                        .require(ToolTables.class)
                        .of(hub.core().require(SessionManager.class).defaultSession())
                        .size())
                .isZero();
    }

    @Test
    void toolsListPagesWithNextCursorAndMembersHearOfChanges() throws Exception {
        AgentwireClient watcher = agent("watcher");
        List<String> heard = new CopyOnWriteArrayList<>();
        watcher.addNotificationListener((m, p) -> heard.add(m));
        AgentwireClient p = agent("p");
        ObjectNode params = Json.mapper().createObjectNode();
        var tools = params.putArray("tools");
        for (int i = 0; i < 30; i++) {
            tools.addObject()
                    .put("name", String.format("t%02d", i))
                    .put("description", "d")
                    .putObject("inputSchema")
                    .put("type", "object");
        }
        p.request("tools/register", params).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> heard.contains("notifications/tools/list_changed"));
        try (AgentwireHub small = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("tools.pageSize", "12"))) {
            AgentwireClient q = AgentwireClient.builder()
                    .endpoint(small.endpoint())
                    .reconnect(false)
                    .connect();
            clients.add(q);
            q.request("tools/register", params).get(10, TimeUnit.SECONDS);
            List<String> names = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = q.tools().list(cursor).get(10, TimeUnit.SECONDS);
                page.path("tools").forEach(t -> names.add(t.path("name").asText()));
                cursor = page.hasNonNull("nextCursor") ? page.path("nextCursor").asText() : null;
                pages++;
            } while (cursor != null);
            assertThat(pages).isEqualTo(3);
            assertThat(names).hasSize(30).isSorted().doesNotHaveDuplicates();
            assertThat(rpcError(q.tools().list("!!not-base64!!")).code()).isEqualTo(-32602);
        }
    }

    @Test
    void sessionsIsolateToolsAndUnknownSessionsAreNotFound() throws Exception {
        AgentwireClient p = agent("p");
        JsonNode s = p.request(
                        "sessions/create", Json.mapper().createObjectNode().put("name", "work"))
                .get(10, TimeUnit.SECONDS);
        String id = s.path("sessionId").asText();
        assertThat(id).hasSize(32).matches("[0-9a-f]+");
        p.request("sessions/join", Json.mapper().createObjectNode().put("sessionId", id))
                .get(10, TimeUnit.SECONDS);
        p.tools()
                .register(echo(), (a, ctx) -> CompletableFuture.completedFuture(a))
                .get(10, TimeUnit.SECONDS);
        AgentwireClient outside = agent("outside");
        assertThat(rpcError(outside.tools().call("echo", args("{\"text\":\"x\"}")))
                        .code())
                .isEqualTo(-32002);
        AgentwireClient inside = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .session(id)
                .reconnect(false)
                .connect();
        clients.add(inside);
        assertThat(inside.hello().path("sessionId").asText()).isEqualTo(id);
        assertThat(inside.tools()
                        .call("echo", args("{\"text\":\"x\"}"))
                        .get(10, TimeUnit.SECONDS)
                        .path("isError")
                        .asBoolean())
                .isFalse();
        RpcException missing = rpcError(outside.request(
                "sessions/join", Json.mapper().createObjectNode().put("sessionId", "nope")));
        assertThat(missing.code()).isEqualTo(-32007);
        assertThatThrownBy(() -> AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .session("nope")
                        .reconnect(false)
                        .connect())
                .isInstanceOf(RpcException.class)
                .hasMessageContaining("no session nope");
        JsonNode list = outside.request("sessions/list").get(10, TimeUnit.SECONDS);
        assertThat(list.path("sessions").findValuesAsText("name")).contains("default", "work");
        assertThat(list.path("current").asText()).isEqualTo("default");
    }

    @Test
    void sessionEventsAndExpiryDropToolsAndTellMembers() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        Ticker fake = now::get;
        try (AgentwireHub h =
                TestHubs.start(TestHubs.shortTempDir(), b -> b.ticker(fake).set("sessions.idleTimeout", "60"))) {
            AgentwireClient watcher = AgentwireClient.builder()
                    .endpoint(h.endpoint())
                    .reconnect(false)
                    .connect();
            clients.add(watcher);
            List<JsonNode> events = new CopyOnWriteArrayList<>();
            watcher.onNotification("events/event", events::add);
            watcher.request("events/subscribe", Json.mapper().readTree("{\"categories\":[\"session\"]}"))
                    .get(10, TimeUnit.SECONDS);
            AgentwireClient p = AgentwireClient.builder()
                    .endpoint(h.endpoint())
                    .reconnect(false)
                    .connect();
            clients.add(p);
            String id = p.request(
                            "sessions/create", Json.mapper().readTree("{\"name\":\"short\",\"ttl\":30,\"join\":true}"))
                    .get(10, TimeUnit.SECONDS)
                    .path("sessionId")
                    .asText();
            p.tools()
                    .register(echo(), (a, ctx) -> CompletableFuture.completedFuture(a))
                    .get(10, TimeUnit.SECONDS);
            assertThat(h.core()
                            .require(ToolTables.class)
                            .of(h.core().require(SessionManager.class).get(id))
                            .size())
                    .isEqualTo(1);
            now.addAndGet(Duration.ofSeconds(31).toNanos());
            assertThat(h.core().require(SessionManager.class).expireDue()).isEqualTo(1);
            await().atMost(WAIT)
                    .until(() -> events.stream()
                            .anyMatch(e -> e.path("action").asText().equals("expired")));
            assertThat(events)
                    .extracting(e -> e.path("action").asText())
                    .containsSubsequence("created", "joined", "expired");
            assertThat(events.stream()
                            .filter(e -> e.path("action").asText().equals("expired"))
                            .findFirst()
                            .orElseThrow()
                            .path("data")
                            .path("reason")
                            .asText())
                    .isEqualTo("ttl");
            assertThat(rpcError(p.request(
                                    "sessions/join",
                                    Json.mapper().createObjectNode().put("sessionId", id)))
                            .code())
                    .isEqualTo(-32007);
            assertThat(p.request("sessions/list")
                            .get(10, TimeUnit.SECONDS)
                            .path("current")
                            .asText())
                    .isEqualTo("default");
            assertThat(rpcError(p.tools().call("echo", args("{\"text\":\"x\"}")))
                            .code())
                    .isEqualTo(-32002);
        }
    }

    @Test
    void mcpInitializeAdvertisesToolsAndCallsAnswerCallToolResults() throws Exception {
        AgentwireClient provider = tcpProvider("p");
        provider.tools()
                .register(
                        ToolSpec.of("fail", "always fails"),
                        (a, ctx) -> CompletableFuture.failedFuture(new IllegalStateException("it broke")))
                .get(10, TimeUnit.SECONDS);
        try (RawConnection mcp = RawConnection.unix(hub.config().socketPath())) {
            JsonNode init = mcp.request(
                            1,
                            "initialize",
                            "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}")
                    .readJson();
            assertThat(init.path("result")
                            .path("capabilities")
                            .path("tools")
                            .path("listChanged")
                            .asBoolean())
                    .isTrue();
            JsonNode r = mcp.request(2, "tools/call", "{\"name\":\"fail\",\"arguments\":{}}")
                    .readJson();
            assertThat(r.path("result").path("isError").asBoolean()).isTrue();
            assertThat(r.path("result").path("content").get(0).path("text").asText())
                    .contains("it broke");
        }
    }

    @Test
    void aJavaProviderRegistersItsToolsAgainAfterReconnecting() throws Exception {
        java.nio.file.Path dir = TestHubs.shortTempDir();
        AgentwireHub first = TestHubs.start(dir);
        List<Runnable> scheduled = new CopyOnWriteArrayList<>();
        AgentwireClient provider = AgentwireClient.builder()
                .endpoint(first.endpoint())
                .scheduler((task, delay) -> {
                    scheduled.add(task);
                    return () -> scheduled.remove(task);
                })
                .connect();
        clients.add(provider);
        provider.tools()
                .register(echo(), (a, ctx) -> CompletableFuture.completedFuture(a))
                .get(10, TimeUnit.SECONDS);
        first.close();
        await().atMost(WAIT).until(() -> scheduled.size() == 1);
        try (AgentwireHub second = TestHubs.start(dir)) {
            scheduled.remove(0).run();
            await().atMost(WAIT)
                    .until(() -> second.core()
                                    .require(ToolTables.class)
                                    .of(second.core()
                                            .require(SessionManager.class)
                                            .defaultSession())
                                    .size()
                            == 1);
            try (AgentwireClient agent = AgentwireClient.builder()
                    .endpoint(second.endpoint())
                    .reconnect(false)
                    .connect()) {
                JsonNode r =
                        agent.tools().call("echo", args("{\"text\":\"again\"}")).get(10, TimeUnit.SECONDS);
                assertThat(r.path("structuredContent").path("text").asText()).isEqualTo("again");
            }
        }
    }
}
