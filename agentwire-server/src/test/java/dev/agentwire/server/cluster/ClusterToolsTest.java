package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.HubCluster;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.RedisProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tools and sessions across three {@code aw hub} processes on one real {@code redis-server} (docs/CLUSTER.md,
 * "Calls across hubs"): an agent on hub A calls a tool a provider on hub C serves, with progress, a cancellation and
 * many at once; no provider anywhere fails at once; hub C killed fails its calls with -32003 and its tools go.
 */
class ClusterToolsTest {

    static HubCluster cluster;
    static RedisProcess redis;
    static List<ChildHub> hubs;

    @BeforeAll
    static void start() throws Exception {
        cluster = HubCluster.start(
                List.of("hub-a", "hub-b", "hub-c"),
                "cluster.heartbeatMs=300",
                "cluster.deadAfterMs=4000",
                "cluster.ackMs=10000");
        redis = cluster.redis();
        hubs = cluster.hubs();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static AgentwireClient connect(ChildHub hub) {
        return cluster.connect(hub);
    }

    private static JsonNode args(String key, Object value) {
        return Json.mapper().valueToTree(java.util.Map.of(key, value));
    }

    /** A {@code CallToolResult} with one text item. */
    private static CompletableFuture<JsonNode> answer(String text) {
        com.fasterxml.jackson.databind.node.ObjectNode r = Json.mapper().createObjectNode();
        r.putArray("content").addObject().put("type", "text").put("text", text);
        return CompletableFuture.completedFuture(r);
    }

    private static String text(JsonNode callToolResult) {
        return callToolResult.path("content").get(0).path("text").asText();
    }

    /** Until hub {@code on}'s tools/list shows {@code tool}. */
    private static void awaitListed(AgentwireClient on, String tool) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> on.tools()
                        .list(null)
                        .get(10, TimeUnit.SECONDS)
                        .path("tools")
                        .findValuesAsText("name")
                        .contains(tool));
    }

    @Test
    void anAgentOnHubACallsAToolOnHubCWithProgress() throws Exception {
        AgentwireClient provider = connect(hubs.get(2));
        provider.tools()
                .register(ToolSpec.of("c.upper", "upper-cases"), (arguments, ctx) -> {
                    ctx.progress(1, 2.0, "half way");
                    return answer(arguments.path("s").asText().toUpperCase());
                })
                .get(30, TimeUnit.SECONDS);
        AgentwireClient agent = connect(hubs.get(0));
        awaitListed(agent, "c.upper");
        List<JsonNode> progress = new CopyOnWriteArrayList<>();

        JsonNode result = agent.tools()
                .call("c.upper", args("s", "hello"), Duration.ofSeconds(20), progress::add)
                .get(30, TimeUnit.SECONDS);

        assertThat(text(result)).isEqualTo("HELLO");
        JsonNode listed = agent.tools().list(null).get(30, TimeUnit.SECONDS).path("tools");
        assertThat(listed.findValues("name").stream().map(JsonNode::asText).toList())
                .contains("c.upper");
        for (JsonNode t : listed) {
            if (t.path("name").asText().equals("c.upper")) {
                assertThat(t.path("_meta").path("agentwire/hub").asText())
                        .as("the hub that serves it")
                        .isEqualTo("hub-c");
            }
        }
        assertThat(progress).hasSize(1);
        assertThat(progress.get(0).path("message").asText()).isEqualTo("half way");
    }

    @Test
    void eightAgentsMakingTwoHundredCallsEachAcrossHubsEachGetTheirOwnAnswer() throws Exception {
        AgentwireClient provider = connect(hubs.get(2));
        provider.tools()
                .register(
                        ToolSpec.of("c.echo", "echoes"),
                        (arguments, ctx) -> answer(arguments.path("n").asText()))
                .get(30, TimeUnit.SECONDS);
        List<AgentwireClient> agents = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            agents.add(connect(hubs.get(i % 2))); // hubs A and B
        }
        awaitListed(agents.get(0), "c.echo");
        awaitListed(agents.get(1), "c.echo");

        List<CompletableFuture<String>> answers = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int a = 0; a < agents.size(); a++) {
            for (int i = 0; i < 200; i++) {
                String n = a + "-" + i;
                expected.add(n);
                answers.add(agents.get(a).tools().call("c.echo", args("n", n)).thenApply(ClusterToolsTest::text));
            }
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        assertThat(answers.stream().map(CompletableFuture::join).toList()).containsExactlyElementsOf(expected);
    }

    @Test
    void aCallerThatGivesUpCancelsTheCallAtTheProviderOnTheOtherHub() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> sawCancel = new CompletableFuture<>();
        AgentwireClient provider = connect(hubs.get(2));
        provider.tools()
                .register(ToolSpec.of("c.slow", "never answers by itself"), (arguments, ctx) -> {
                    started.countDown();
                    return CompletableFuture.supplyAsync(() -> {
                        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (!ctx.isCancelled() && System.nanoTime() < until) {
                            try {
                                Thread.sleep(10);
                            } catch (InterruptedException e) {
                                break;
                            }
                        }
                        sawCancel.complete(ctx.isCancelled());
                        return Json.mapper().createObjectNode().put("text", "late");
                    });
                })
                .get(30, TimeUnit.SECONDS);
        AgentwireClient agentOnA = connect(hubs.get(0));
        awaitListed(agentOnA, "c.slow");

        try (RawConnection raw = RawConnection.unix(hubs.get(0).socket())) {
            raw.request(1, "hub/hello", "{\"protocolVersion\":\"1.0\",\"clientInfo\":{\"name\":\"t\"}}");
            raw.readJson(Duration.ofSeconds(10));
            raw.request(2, "tools/call", "{\"name\":\"c.slow\",\"arguments\":{}}");
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            raw.sendLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                    + "\"params\":{\"requestId\":2,\"reason\":\"changed my mind\"}}");
            JsonNode reply = raw.readJson(Duration.ofSeconds(20));
            assertThat(reply.path("error").path("code").asInt()).isEqualTo(-32009);
        }
        assertThat(sawCancel.get(20, TimeUnit.SECONDS))
                .as("the provider on hub C was told")
                .isTrue();
    }

    @Test
    void aToolNobodyProvidesFailsAtOnceWithNoProvider() {
        AgentwireClient agent = connect(hubs.get(1));
        long start = System.nanoTime();

        assertThatThrownBy(() ->
                        agent.tools().call("nobody.has.this", args("x", 1)).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(-32002));
        // Not a timed assertion of speed: the call must not have waited for its 60 s timeout.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aSessionCreatedOnHubACanBeJoinedOnHubBAndItsToolsCalledThere() throws Exception {
        AgentwireClient onA = connect(hubs.get(0));
        String session = onA.request(
                        "sessions/create", Json.mapper().createObjectNode().put("name", "shared"))
                .get(30, TimeUnit.SECONDS)
                .path("sessionId")
                .asText();
        onA.request("sessions/join", Json.mapper().createObjectNode().put("sessionId", session))
                .get(30, TimeUnit.SECONDS);
        onA.tools()
                .register(ToolSpec.of("s.only", "in the shared session"), (arguments, ctx) -> answer("from A"))
                .get(30, TimeUnit.SECONDS);

        AgentwireClient onB = connect(hubs.get(1));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(onB.request(
                                        "sessions/join",
                                        Json.mapper().createObjectNode().put("sessionId", session))
                                .get(10, TimeUnit.SECONDS)
                                .path("name")
                                .asText())
                        .isEqualTo("shared"));

        assertThat(text(onB.tools().call("s.only", args("x", 1)).get(30, TimeUnit.SECONDS)))
                .isEqualTo("from A");
    }

    @Test
    void aServiceOnHubCAnswersRequestsMadeOnHubAAndIsListedThere() throws Exception {
        AgentwireClient instance = connect(hubs.get(2));
        instance.services()
                .serve(
                        "naming",
                        (request, ctx) -> CompletableFuture.completedFuture(Json.mapper()
                                .createObjectNode()
                                .put("name", request.data().path("of").asText() + "-svc")
                                .put("from", request.from().path("identity").asText())))
                .get(30, TimeUnit.SECONDS);
        AgentwireClient caller = connect(hubs.get(0));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> caller.services()
                        .list()
                        .get(10, TimeUnit.SECONDS)
                        .path("services")
                        .findValuesAsText("name")
                        .contains("naming"));

        JsonNode answer = caller.services()
                .request("naming", "suggest", args("of", "billing"))
                .get(30, TimeUnit.SECONDS);

        assertThat(answer.path("name").asText()).isEqualTo("billing-svc");
        assertThat(answer.path("from").asText())
                .as("the caller's identity crossed hubs")
                .startsWith("uid:");
        JsonNode listed = caller.services().list().get(10, TimeUnit.SECONDS);
        assertThat(listed.path("services").findValuesAsText("transport")).anyMatch(t -> t.endsWith("on hub hub-c"));
        assertThatThrownBy(() ->
                        caller.services().request("nobody", "x", args("x", 1)).get(30, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.code()).isEqualTo(-32002));
    }

    private static int instancesListed(AgentwireClient on, String service) throws Exception {
        for (JsonNode s : on.services().list().get(10, TimeUnit.SECONDS).path("services")) {
            if (s.path("name").asText().equals(service)) {
                return s.path("instances").size();
            }
        }
        return 0;
    }

    @Test
    void callersOnDifferentHubsPickTheLeastLoadedInstanceOverEveryHubsRequests() throws Exception {
        List<CompletableFuture<JsonNode>> holds = new CopyOnWriteArrayList<>();
        AgentwireClient callerA = connect(hubs.get(0));
        AgentwireClient callerB = connect(hubs.get(1));
        for (int round = 0; round < 3; round++) {
            String service = "busy-" + round;
            // Four instances, two on hub A and two on hub B, each holding what it is sent until the end.
            List<List<String>> held = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                List<String> mine = new CopyOnWriteArrayList<>();
                held.add(mine);
                connect(hubs.get(i < 2 ? 0 : 1))
                        .services()
                        .serve(service, (request, ctx) -> {
                            mine.add(request.action());
                            CompletableFuture<JsonNode> hold = new CompletableFuture<>();
                            holds.add(hold);
                            return hold;
                        })
                        .get(30, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> instancesListed(callerA, service) == 4 && instancesListed(callerB, service) == 4);
            for (int i = 0; i < 3; i++) {
                callerA.services().request(service, "a" + i, args("i", i), Duration.ofSeconds(60));
                int sent = i + 1;
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> held.stream().mapToInt(List::size).sum() == sent);
            }
            // Hub B has sent nothing yet: only counts over every hub show which instance is still free.
            callerB.services().request(service, "b", args("i", 3), Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> held.stream().mapToInt(List::size).sum() == 4);
            assertThat(held).as("round %d: one request on each instance", round).allMatch(h -> h.size() == 1);
        }
        holds.forEach(h -> h.complete(Json.mapper().createObjectNode()));
    }
}
