package dev.agentwire.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RequestContext;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * The MCP Java SDK 2.1.0 ({@code HttpClientStreamableHttpTransport}) against {@code /mcp}: initialize with a
 * Bearer token, list and call a socket agent's tools, get progress, hear {@code list_changed}, and cancel a call.
 */
class McpJavaSdkTest {

    /** Keeps the JSON-RPC id of the POST that calls {@code stuck}. */
    private static void stuckCallId(String body, AtomicReference<Object> id) {
        if (body == null || body.isEmpty()) {
            return;
        }
        try {
            JsonNode m = Json.mapper().readTree(body);
            if (m.path("method").asText().equals("tools/call")
                    && m.path("params").path("name").asText().equals("stuck")) {
                JsonNode i = m.get("id");
                id.set(i.isNumber() ? (Object) i.asLong() : i.asText());
            }
        } catch (java.io.IOException e) {
            // not JSON: not the call
        }
    }

    @Test
    void theJavaSdkListsCallsAndGetsProgress() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir());
                AgentwireClient provider = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .reconnect(false)
                        .connect()) {
            AtomicReference<RequestContext> stuck = new AtomicReference<>();
            AtomicReference<Object> stuckId = new AtomicReference<>();
            provider.tools()
                    .register(ToolSpec.of("greet", "Greets"), (args, ctx) -> {
                        ctx.progress(1, 2.0, "half");
                        ctx.progress(2, 2.0, "all");
                        return CompletableFuture.completedFuture(
                                McpHttpTest.text("hello, " + args.path("who").asText()));
                    })
                    .get(10, TimeUnit.SECONDS);
            provider.tools()
                    .register(ToolSpec.of("stuck", "Never answers"), (args, ctx) -> {
                        stuck.set(ctx);
                        return new CompletableFuture<JsonNode>();
                    })
                    .get(10, TimeUnit.SECONDS);
            HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                            "http://127.0.0.1:" + hub.tcpPort().getAsInt())
                    .endpoint("/mcp")
                    .jsonMapper(new JacksonMcpJsonMapper(Json.mapper()))
                    .addHttpRequestCustomizer((b, method, uri, body, context) -> {
                        b.header("Authorization", "Bearer " + hub.token());
                        stuckCallId(body, stuckId);
                    })
                    .build();
            List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
            List<List<McpSchema.Tool>> changes = new CopyOnWriteArrayList<>();
            McpAsyncClient mcp = McpClient.async(transport)
                    // The SDK's own output-schema check wants networknt 2.x; the hub checks arguments itself.
                    .jsonSchemaValidator((schema, instance) ->
                            io.modelcontextprotocol.json.schema.JsonSchemaValidator.ValidationResponse.asValid(null))
                    .requestTimeout(Duration.ofSeconds(30))
                    .progressConsumer(p -> {
                        progress.add(p);
                        return reactor.core.publisher.Mono.empty();
                    })
                    .toolsChangeConsumer(t -> {
                        changes.add(t);
                        return reactor.core.publisher.Mono.empty();
                    })
                    .build();
            try {
                McpSchema.InitializeResult init = mcp.initialize().block(Duration.ofSeconds(30));
                assertThat(init.serverInfo().name()).isEqualTo("agentwire");
                McpSchema.ListToolsResult tools = mcp.listTools().block(Duration.ofSeconds(30));
                assertThat(tools.tools()).extracting(McpSchema.Tool::name).contains("greet", "stuck");

                McpSchema.CallToolResult r = mcp.callTool(McpSchema.CallToolRequest.builder("greet")
                                .arguments(Map.of("who", "java"))
                                .progressToken("p-1")
                                .build())
                        .block(Duration.ofSeconds(30));
                assertThat(r.isError()).isFalse();
                assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("hello, java");
                await().atMost(Duration.ofSeconds(10)).until(() -> progress.size() >= 2);
                assertThat(progress)
                        .extracting(McpSchema.ProgressNotification::progressToken)
                        .containsOnly("p-1");
                assertThat(progress)
                        .extracting(McpSchema.ProgressNotification::message)
                        .containsExactly("half", "all");

                provider.tools()
                        .register(
                                ToolSpec.of("late", "Registered later"),
                                (args, ctx) -> CompletableFuture.completedFuture(McpHttpTest.text("late")))
                        .get(10, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> changes.stream()
                                .anyMatch(t -> t.stream().anyMatch(x -> x.name().equals("late"))));

                Disposable call = mcp.callTool(McpSchema.CallToolRequest.builder("stuck")
                                .arguments(Map.of())
                                .build())
                        .subscribe();
                await().atMost(Duration.ofSeconds(10)).until(() -> stuck.get() != null);
                // The SDK's client has no cancel of its own (disposing the call only stops listening, which MCP
                // says is not a cancellation): its transport sends notifications/cancelled for the call's id.
                call.dispose();
                transport
                        .sendMessage(new McpSchema.JSONRPCNotification(
                                "2.0",
                                "notifications/cancelled",
                                Map.of("requestId", stuckId.get(), "reason", "the test cancels")))
                        .block(Duration.ofSeconds(10));
                await().atMost(Duration.ofSeconds(10)).until(() -> stuck.get().isCancelled());
            } finally {
                mcp.closeGracefully().block(Duration.ofSeconds(10));
            }
        }
    }

    /** The Java SDK as an MCP client of {@code /mcp} plus {@code query}, with the hub's token. */
    private static io.modelcontextprotocol.client.McpSyncClient sdk(AgentwireHub hub, String query) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        "http://127.0.0.1:" + hub.tcpPort().getAsInt())
                .endpoint("/mcp" + query)
                .jsonMapper(new JacksonMcpJsonMapper(Json.mapper()))
                .addHttpRequestCustomizer(
                        (b, method, uri, body, context) -> b.header("Authorization", "Bearer " + hub.token()))
                .build();
        return McpClient.sync(transport)
                .jsonSchemaValidator((schema, instance) ->
                        io.modelcontextprotocol.json.schema.JsonSchemaValidator.ValidationResponse.asValid(null))
                .requestTimeout(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void withoutASessionEverySessionsToolsAreServedUnderNamesThatCannotCollide() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir());
                AgentwireClient alpha = AgentwireClient.builder()
                        .endpoint(hub.endpoint())
                        .name("alpha")
                        .reconnect(false)
                        .connect()) {
            alpha.tools()
                    .register(
                            ToolSpec.of("search", "Alpha's search"),
                            (args, ctx) -> CompletableFuture.completedFuture(McpHttpTest.text("alpha found it")))
                    .get(10, TimeUnit.SECONDS);
            String other = alpha.request(
                            "sessions/create", Json.mapper().createObjectNode().put("name", "other"))
                    .get(10, TimeUnit.SECONDS)
                    .path("sessionId")
                    .asText();
            try (AgentwireClient beta = AgentwireClient.builder()
                    .endpoint(hub.endpoint())
                    .name("beta")
                    .session(other)
                    .reconnect(false)
                    .connect()) {
                beta.tools()
                        .register(
                                ToolSpec.of("search", "Beta's search"),
                                (args, ctx) -> CompletableFuture.completedFuture(McpHttpTest.text("beta found it")))
                        .get(10, TimeUnit.SECONDS);
                beta.tools()
                        .register(
                                ToolSpec.of("unique", "Only beta has it"),
                                (args, ctx) -> CompletableFuture.completedFuture(McpHttpTest.text("unique")))
                        .get(10, TimeUnit.SECONDS);
                try (var all = sdk(hub, "")) {
                    all.initialize();
                    assertThat(all.listTools().tools())
                            .extracting(McpSchema.Tool::name)
                            .containsExactlyInAnyOrder("alpha__search", "beta__search", "unique");
                    McpSchema.CallToolResult b = all.callTool(McpSchema.CallToolRequest.builder("beta__search")
                            .arguments(Map.of())
                            .build());
                    assertThat(((McpSchema.TextContent) b.content().get(0)).text())
                            .isEqualTo("beta found it");
                    McpSchema.CallToolResult a = all.callTool(McpSchema.CallToolRequest.builder("alpha__search")
                            .arguments(Map.of())
                            .build());
                    assertThat(((McpSchema.TextContent) a.content().get(0)).text())
                            .isEqualTo("alpha found it");
                }
                // A tool that is itself called "beta__search" does not take the calls meant for beta's "search".
                alpha.tools()
                        .register(
                                ToolSpec.of("beta__search", "A name like a renamed one"),
                                (args, ctx) -> CompletableFuture.completedFuture(McpHttpTest.text("alpha's odd tool")))
                        .get(10, TimeUnit.SECONDS);
                try (var all = sdk(hub, "")) {
                    all.initialize();
                    List<String> names = all.listTools().tools().stream()
                            .map(McpSchema.Tool::name)
                            .toList();
                    assertThat(names).doesNotHaveDuplicates().hasSize(4).contains("beta__search", "beta__search_2");
                    List<String> answers = new java.util.ArrayList<>();
                    for (String n : List.of("beta__search", "beta__search_2")) {
                        McpSchema.CallToolResult r = all.callTool(McpSchema.CallToolRequest.builder(n)
                                .arguments(Map.of())
                                .build());
                        answers.add(((McpSchema.TextContent) r.content().get(0)).text());
                    }
                    assertThat(answers).containsExactlyInAnyOrder("beta found it", "alpha's odd tool");
                }
                try (var one = sdk(hub, "?session=" + other)) {
                    one.initialize();
                    assertThat(one.listTools().tools())
                            .extracting(McpSchema.Tool::name)
                            .containsExactlyInAnyOrder("search", "unique");
                }
            }
        }
    }
}
