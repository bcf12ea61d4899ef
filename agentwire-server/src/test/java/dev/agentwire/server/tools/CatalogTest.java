package dev.agentwire.server.tools;

import static dev.agentwire.server.testing.RpcFailures.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Prompts, resources and a provider's requests to its caller (sampling, elicitation) over real sockets: a provider
 * registers, an agent lists, gets, reads, completes and subscribes, and every bad input gets its error.
 */
class CatalogTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private AgentwireHub hub;
    private final List<AgentwireClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(
                TestHubs.shortTempDir(), b -> b.set("limits.ratePerSecond", "0").set("tools.maxPerSession", "5"));
    }

    @AfterEach
    void stop() {
        clients.forEach(AgentwireClient::close);
        hub.close();
    }

    private AgentwireClient connect(String name) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name(name)
                .reconnect(false)
                .connect();
        clients.add(c);
        return c;
    }

    private AgentwireClient as(String subject, String... scopes) throws Exception {
        var params = Json.mapper().createObjectNode().put("sub", subject).put("ttlSeconds", 600);
        for (String s : scopes) {
            params.withArray("scopes").add(s);
        }
        String token = connect("owner")
                .request("tokens/create", params)
                .get(10, TimeUnit.SECONDS)
                .path("token")
                .asText();
        AgentwireClient c = AgentwireClient.builder()
                .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                .token(token)
                .name(subject)
                .reconnect(false)
                .connect();
        clients.add(c);
        return c;
    }

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    private static JsonNode get(CompletableFuture<JsonNode> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** A provider of one prompt, one resource and one template, answering with what it was asked. */
    private AgentwireClient provider() throws Exception {
        AgentwireClient p = connect("docs");
        get(p.request("prompts/register", json("""
                {"prompts": [{"name": "summarize", "description": "Summarize a text",
                              "arguments": [{"name": "text", "required": true}]}]}""")));
        get(p.request("resources/register", json("""
                {"resources": [{"uri": "docs://readme", "name": "readme", "mimeType": "text/markdown"}],
                 "resourceTemplates": [{"uriTemplate": "docs://page/{n}", "name": "page"},
                                       {"uriTemplate": "file:///{+path}", "name": "file"}]}""")));
        p.onRequest("prompts/get", (params, ctx) -> {
            ObjectNode out = Json.mapper().createObjectNode();
            out.putArray("messages")
                    .addObject()
                    .put("role", "user")
                    .putObject("content")
                    .put("type", "text")
                    .put(
                            "text",
                            "Summarize: "
                                    + params.path("arguments").path("text").asText());
            return CompletableFuture.completedFuture(out);
        });
        p.onRequest("resources/read", (params, ctx) -> {
            ObjectNode out = Json.mapper().createObjectNode();
            out.putArray("contents")
                    .addObject()
                    .put("uri", params.path("uri").asText())
                    .put("text", "read " + params.path("uri").asText());
            return CompletableFuture.completedFuture(out);
        });
        return p;
    }

    @Test
    void anAgentListsGetsReadsAndCompletesWhatAProviderRegistered() throws Exception {
        AgentwireClient p = provider();
        p.onRequest("completion/complete", (params, ctx) -> {
            ObjectNode out = Json.mapper().createObjectNode();
            out.putObject("completion")
                    .putArray("values")
                    .add(params.path("argument").path("value").asText() + "!");
            return CompletableFuture.completedFuture(out);
        });
        AgentwireClient agent = connect("agent");

        JsonNode prompts = get(agent.request("prompts/list", Json.mapper().createObjectNode()));
        assertThat(prompts.path("prompts").get(0).path("name").asText()).isEqualTo("summarize");
        assertThat(prompts.path("prompts")
                        .get(0)
                        .path("arguments")
                        .get(0)
                        .path("required")
                        .asBoolean())
                .isTrue();
        assertThat(get(agent.request("resources/list", Json.mapper().createObjectNode()))
                        .path("resources")
                        .findValuesAsText("uri"))
                .containsExactly("docs://readme");
        assertThat(get(agent.request("resources/templates/list", Json.mapper().createObjectNode()))
                        .path("resourceTemplates")
                        .findValuesAsText("uriTemplate"))
                .containsExactly("docs://page/{n}", "file:///{+path}");

        JsonNode prompt = get(agent.request(
                "prompts/get", json("{\"name\":\"summarize\",\"arguments\":{\"text\":\"a long story\"}}")));
        assertThat(prompt.path("messages").get(0).path("content").path("text").asText())
                .isEqualTo("Summarize: a long story");
        for (String uri : List.of("docs://readme", "docs://page/7", "file:///etc/hosts")) {
            assertThat(get(agent.request("resources/read", json("{\"uri\":\"" + uri + "\"}")))
                            .path("contents")
                            .get(0)
                            .path("text")
                            .asText())
                    .isEqualTo("read " + uri);
        }
        JsonNode done = get(agent.request("completion/complete", json("""
                {"ref": {"type": "ref/prompt", "name": "summarize"}, "argument": {"name": "text", "value": "ab"}}""")));
        assertThat(done.path("completion").path("values").get(0).asText()).isEqualTo("ab!");
        JsonNode byTemplate = get(agent.request("completion/complete", json("""
                {"ref": {"type": "ref/resource", "uri": "docs://page/{n}"}, "argument": {"name": "n", "value": "1"}}""")));
        assertThat(byTemplate.path("completion").path("values").get(0).asText()).isEqualTo("1!");
    }

    @Test
    void aProviderThatDoesNotCompleteGivesNoSuggestions() throws Exception {
        provider();
        JsonNode none = get(connect("agent").request("completion/complete", json("""
                {"ref": {"type": "ref/prompt", "name": "summarize"}, "argument": {"name": "text", "value": "x"}}""")));
        assertThat(none.path("completion").path("values").isArray()).isTrue();
        assertThat(none.path("completion").path("values")).isEmpty();
    }

    @Test
    void agentsHearOfChangesAndAProviderThatLeavesTakesItsEntriesAlong() throws Exception {
        AgentwireClient agent = connect("agent");
        List<String> heard = new CopyOnWriteArrayList<>();
        agent.onNotification("notifications/prompts/list_changed", p -> heard.add("prompts"));
        agent.onNotification("notifications/resources/list_changed", p -> heard.add("resources"));
        AgentwireClient p = provider();
        await().atMost(WAIT).until(() -> heard.contains("prompts") && heard.contains("resources"));
        heard.clear();
        p.close();
        await().atMost(WAIT).until(() -> heard.contains("prompts") && heard.contains("resources"));
        assertThat(get(agent.request("prompts/list", Json.mapper().createObjectNode()))
                        .path("prompts"))
                .isEmpty();
        assertThat(rpcError(agent.request("resources/read", json("{\"uri\":\"docs://readme\"}")))
                        .code())
                .isEqualTo(-32002);
    }

    @Test
    void subscribersHearTheProviderOfAResourceAndNobodyElse() throws Exception {
        AgentwireClient p = provider();
        AgentwireClient impostor = connect("impostor");
        AgentwireClient agent = connect("agent");
        List<String> updates = new CopyOnWriteArrayList<>();
        agent.onNotification(
                "notifications/resources/updated",
                n -> updates.add(n.path("uri").asText()));
        get(agent.request("resources/subscribe", json("{\"uri\":\"docs://page/3\"}")));

        impostor.notify("notifications/resources/updated", json("{\"uri\":\"docs://page/3\"}"));
        get(impostor.request("ping")); // the hub has handled the impostor's notice
        p.notify("notifications/resources/updated", json("{\"uri\":\"docs://page/4\"}")); // not subscribed
        p.notify("notifications/resources/updated", json("{\"uri\":\"docs://page/3\"}"));
        await().atMost(WAIT).until(() -> !updates.isEmpty());
        get(p.request("ping"));
        get(agent.request("ping"));
        assertThat(updates).containsExactly("docs://page/3");

        get(agent.request("resources/unsubscribe", json("{\"uri\":\"docs://page/3\"}")));
        p.notify("notifications/resources/updated", json("{\"uri\":\"docs://page/3\"}"));
        get(p.request("ping"));
        get(agent.request("ping"));
        assertThat(updates).containsExactly("docs://page/3");
    }

    @Test
    void badRegistrationsAreRefusedAndChangeNothing() throws Exception {
        AgentwireClient p = provider();
        String[][] cases = {
            {"prompts/register", "{}", "invalid_params"},
            {"prompts/register", "{\"prompts\": []}", "invalid_params"},
            {"prompts/register", "{\"prompts\": {}}", "invalid_params"},
            {"prompts/register", "{\"prompts\": [{\"name\": \"has space\"}]}", "invalid_entry"},
            {"prompts/register", "{\"prompts\": [{\"name\": \"a\", \"arguments\": [1]}]}", "invalid_entry"},
            {"prompts/register", "{\"prompts\": [{\"name\": \"a\", \"description\": 5}]}", "invalid_entry"},
            {"prompts/register", "{\"prompts\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", "duplicate_entry"},
            {"prompts/register", "{\"prompts\": [{\"name\": \"summarize\"}]}", "already_provided"},
            {"resources/register", "{\"resources\": [{\"uri\": \"x y\", \"name\": \"n\"}]}", "invalid_entry"},
            {"resources/register", "{\"resources\": [{\"uri\": \"x://a\"}]}", "invalid_entry"},
            {
                "resources/register",
                "{\"resourceTemplates\": [{\"uriTemplate\": \"x://{?q}\", \"name\": \"n\"}]}",
                "invalid_template"
            },
            {
                "resources/register",
                "{\"resourceTemplates\": [{\"uriTemplate\": \"x://{a}{b}\", \"name\": \"n\"}]}",
                "invalid_template"
            },
            {
                "resources/register",
                "{\"resourceTemplates\": [{\"uriTemplate\": \"x://{a\", \"name\": \"n\"}]}",
                "invalid_template"
            },
            {
                "resources/register",
                "{\"resourceTemplates\": [{\"uriTemplate\": \"x://a}\", \"name\": \"n\"}]}",
                "invalid_template"
            },
            {
                "resources/register",
                "{\"resources\": [{\"uri\": \"x://1\", \"name\": \"n\"}, {\"uri\": \"x://2\", \"name\": \"n\"},"
                        + " {\"uri\": \"x://3\", \"name\": \"n\"}, {\"uri\": \"x://4\", \"name\": \"n\"},"
                        + " {\"uri\": \"x://5\", \"name\": \"n\"}]}",
                "too_many_entries"
            },
            // The resource is fine, the template is not: neither goes in.
            {
                "resources/register",
                "{\"resources\": [{\"uri\": \"x://ok\", \"name\": \"n\"}],"
                        + " \"resourceTemplates\": [{\"uriTemplate\": \"docs://page/{n}\", \"name\": \"n\"}]}",
                "already_provided"
            },
            {"prompts/unregister", "{\"names\": [1]}", "invalid_params"},
        };
        AgentwireClient other = connect("other");
        for (String[] c : cases) {
            RpcException e = rpcError(other.request(c[0], json(c[1])));
            assertThat(e.reason()).as(c[0] + " " + c[1] + ": " + e.getMessage()).isEqualTo(c[2]);
        }
        JsonNode resources = get(p.request("resources/list", Json.mapper().createObjectNode()));
        assertThat(resources.path("resources").findValuesAsText("uri")).containsExactly("docs://readme");
        JsonNode prompts = get(p.request("prompts/list", Json.mapper().createObjectNode()));
        assertThat(prompts.path("prompts")).hasSize(1);
        assertThat(prompts.path("prompts").get(0).path("name").asText()).isEqualTo("summarize");
    }

    @Test
    void anotherIdentityCannotTakeAnEntryOverTheSameOneMayWithReplace() throws Exception {
        provider();
        AgentwireClient mallory = as("mallory", "tools:provide", "tools:call");
        RpcException taken = rpcError(mallory.request(
                "prompts/register", json("{\"prompts\": [{\"name\": \"summarize\"}], \"replace\": true}")));
        assertThat(taken.code()).isEqualTo(-32005);
        assertThat(taken.reason()).isEqualTo("not_yours");
        // Nor shadow the owner's resources with a template or a URI of its own.
        for (String bad : List.of(
                "{\"resourceTemplates\": [{\"uriTemplate\": \"docs://page/{a}\", \"name\": \"m\"}]}",
                "{\"resources\": [{\"uri\": \"docs://page/1\", \"name\": \"m\"}]}",
                "{\"resourceTemplates\": [{\"uriTemplate\": \"docs://{+rest}\", \"name\": \"m\"}]}")) {
            RpcException shadow = rpcError(mallory.request("resources/register", json(bad)));
            assertThat(shadow.reason()).as(bad).isEqualTo("not_yours");
        }
        assertThat(get(mallory.request("resources/read", json("{\"uri\":\"docs://page/1\"}")))
                        .path("contents")
                        .get(0)
                        .path("text")
                        .asText())
                .isEqualTo("read docs://page/1");
        // A refused registration leaves what the provider held: all or none.
        RpcException tooMany = rpcError(clients.get(0)
                .request(
                        "resources/register",
                        json("{\"resources\": [{\"uri\": \"docs://readme\", \"name\": \"readme\"}],"
                                + " \"resourceTemplates\": [{\"uriTemplate\": \"a://{x}\", \"name\": \"n\"},"
                                + " {\"uriTemplate\": \"b://{x}\", \"name\": \"n\"},"
                                + " {\"uriTemplate\": \"c://{x}\", \"name\": \"n\"},"
                                + " {\"uriTemplate\": \"d://{x}\", \"name\": \"n\"}]}")));
        assertThat(tooMany.reason()).isEqualTo("too_many_entries");
        assertThat(get(mallory.request("resources/list", Json.mapper().createObjectNode()))
                        .path("resources")
                        .findValuesAsText("uri"))
                .containsExactly("docs://readme");
        AgentwireClient again = connect("docs-2");
        List<JsonNode> told = new CopyOnWriteArrayList<>();
        clients.get(0).onNotification("notifications/prompts/taken_over", told::add);
        JsonNode ok = get(again.request(
                "prompts/register",
                json("{\"prompts\": [{\"name\": \"summarize\", \"description\": \"v2\"}], \"replace\": true}")));
        assertThat(ok.path("prompts").get(0).asText()).isEqualTo("summarize");
        await().atMost(WAIT).until(() -> !told.isEmpty());
        assertThat(get(again.request("prompts/list", Json.mapper().createObjectNode()))
                        .path("prompts")
                        .get(0)
                        .path("description")
                        .asText())
                .isEqualTo("v2");
    }

    @Test
    void badRequestsGetTheirErrors() throws Exception {
        provider();
        AgentwireClient agent = connect("agent");
        String[][] cases = {
            {"prompts/get", "{}", "-32602"},
            {"prompts/get", "{\"name\": \"nope\"}", "-32602"},
            {"prompts/get", "{\"name\": \"summarize\"}", "-32602"},
            {"prompts/get", "{\"name\": \"summarize\", \"arguments\": [1]}", "-32602"},
            {"resources/read", "{\"uri\": \"docs://nope\"}", "-32002"},
            {"resources/read", "{\"uri\": \"docs://page/a/b\"}", "-32002"},
            {"resources/read", "{\"uri\": 5}", "-32602"},
            {"resources/subscribe", "{\"uri\": \"docs://nope\"}", "-32002"},
            {
                "completion/complete",
                "{\"ref\": {\"type\": \"ref/tool\", \"name\": \"x\"},"
                        + " \"argument\": {\"name\": \"a\", \"value\": \"\"}}",
                "-32602"
            },
            {
                "completion/complete",
                "{\"ref\": {\"type\": \"ref/prompt\", \"name\": \"nope\"},"
                        + " \"argument\": {\"name\": \"a\", \"value\": \"\"}}",
                "-32602"
            },
            {"completion/complete", "{\"ref\": {\"type\": \"ref/prompt\", \"name\": \"summarize\"}}", "-32602"},
        };
        for (String[] c : cases) {
            RpcException e = rpcError(agent.request(c[0], json(c[1])));
            assertThat(e.code()).as(c[0] + " " + c[1] + ": " + e.getMessage()).isEqualTo(Integer.parseInt(c[2]));
        }
        // A caller without tools:call sees nothing; one without tools:provide registers nothing.
        AgentwireClient reader = as("reader", "rooms:read:*");
        assertThat(rpcError(reader.request("prompts/list", Json.mapper().createObjectNode()))
                        .code())
                .isEqualTo(-32005);
        AgentwireClient caller = as("caller", "tools:call");
        assertThat(rpcError(caller.request("prompts/register", json("{\"prompts\": [{\"name\": \"x\"}]}")))
                        .code())
                .isEqualTo(-32005);
    }

    /** A tool that asks its caller's LLM and answers with what it said. */
    private AgentwireClient asker() throws Exception {
        AgentwireClient p = connect("asker");
        JsonNode ask = json("{\"messages\": [], \"maxTokens\": 10}");
        p.tools()
                .register(
                        new ToolSpec("ask", "asks the caller", (ObjectNode) json("{\"type\":\"object\"}")),
                        (args, ctx) -> ctx.askCaller("sampling/createMessage", ask)
                                .thenApply(r -> Json.mapper()
                                        .createObjectNode()
                                        .put(
                                                "said",
                                                r.path("content").path("text").asText())))
                .get(10, TimeUnit.SECONDS);
        return p;
    }

    private static ObjectNode initialize(String capabilities) throws Exception {
        return (ObjectNode) json("{\"protocolVersion\": \"2025-11-25\", \"capabilities\": " + capabilities
                + ", \"clientInfo\": {\"name\": \"agent\", \"version\": \"1\"}}");
    }

    @Test
    void aProviderAsksItsCallerWhoAnswersWhileTheCallWaits() throws Exception {
        asker();
        AgentwireClient agent = connect("agent");
        get(agent.request("initialize", initialize("{\"sampling\": {}}")));
        List<JsonNode> asked = new CopyOnWriteArrayList<>();
        agent.onRequest("sampling/createMessage", (params, ctx) -> {
            asked.add(params);
            // Slower than the call's own timeout: the call waits for its caller's answer.
            return CompletableFuture.supplyAsync(
                    () -> Json.mapper()
                            .createObjectNode()
                            .put("role", "assistant")
                            .put("model", "m")
                            .set(
                                    "content",
                                    Json.mapper()
                                            .createObjectNode()
                                            .put("type", "text")
                                            .put("text", "hi")),
                    CompletableFuture.delayedExecutor(1500, TimeUnit.MILLISECONDS));
        });
        JsonNode result = get(agent.request("tools/call", json("{\"name\": \"ask\", \"timeoutMs\": 500}")));
        assertThat(result.toString()).contains("\"said\":\"hi\"");
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).path("maxTokens").asInt()).isEqualTo(10);
    }

    @Test
    void aCallerThatDeclaredNoSamplingIsNotAsked() throws Exception {
        asker();
        AgentwireClient agent = connect("agent");
        List<JsonNode> asked = new CopyOnWriteArrayList<>();
        agent.onRequest("sampling/createMessage", (params, ctx) -> {
            asked.add(params);
            return CompletableFuture.completedFuture(Json.mapper().createObjectNode());
        });
        get(agent.request("initialize", initialize("{\"elicitation\": {}}")));
        // The provider hears the hub's refusal; its tool fails with it.
        JsonNode result = get(agent.request("tools/call", json("{\"name\": \"ask\"}")));
        assertThat(result.path("isError").asBoolean()).isTrue();
        assertThat(result.toString()).contains("did not declare the sampling capability");
        assertThat(asked).isEmpty();
    }

    @Test
    void aRequestForNoCallInFlightIsRefused() throws Exception {
        AgentwireClient p = connect("loose");
        RpcException none = rpcError(p.request("sampling/createMessage", json("{\"messages\": []}")));
        assertThat(none.reason()).isEqualTo("no_such_call");
        RpcException named = rpcError(
                p.request("elicitation/create", json("{\"_meta\": {\"dev.agentwire/relatedRequestId\": 42}}")));
        assertThat(named.reason()).isEqualTo("no_such_call");
    }

    @Test
    void aCallAsksItsCallerAtMostFourThingsAtOnce() throws Exception {
        AgentwireClient p = connect("eager");
        JsonNode ask = json("{\"messages\": [], \"maxTokens\": 10}");
        p.tools()
                .register(
                        new ToolSpec("ask5", "asks five at once", (ObjectNode) json("{\"type\":\"object\"}")),
                        (args, ctx) -> {
                            List<CompletableFuture<String>> asks = new ArrayList<>();
                            for (int i = 0; i < 5; i++) {
                                asks.add(ctx.askCaller("sampling/createMessage", ask)
                                        .handle((r, e) -> e == null
                                                ? "ok"
                                                : ((RpcException) (e.getCause() != null ? e.getCause() : e)).reason()));
                            }
                            return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                                    .thenApply(x -> {
                                        ObjectNode out = Json.mapper().createObjectNode();
                                        asks.forEach(a -> out.withArray("asks").add(a.join()));
                                        return out;
                                    });
                        })
                .get(10, TimeUnit.SECONDS);
        AgentwireClient agent = connect("agent");
        get(agent.request("initialize", initialize("{\"sampling\": {}}")));
        agent.onRequest(
                "sampling/createMessage",
                (params, ctx) -> CompletableFuture.supplyAsync(
                        () -> (JsonNode) Json.mapper().createObjectNode().put("role", "assistant"),
                        CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)));
        JsonNode result = get(agent.request("tools/call", json("{\"name\": \"ask5\"}")));
        assertThat(result.toString()).contains("too_many_asks");
        assertThat(result.toString().split("\"ok\"", -1)).hasSize(5);
    }
}
