package dev.agentwire.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RequestContext;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.Chromium;
import dev.agentwire.server.testing.NodeDriver;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MCP TypeScript SDK 1.32.2 ({@code StreamableHTTPClientTransport}, from npm) against {@code /mcp}: it lists
 * and calls the tools of a page in headless Chromium and of a socket agent, gets a tool's progress on the call's
 * SSE stream, cancels a call (the provider learns of it), and hears {@code list_changed} on its GET stream.
 */
class McpHttpTest {

    static final String SDK = "@modelcontextprotocol/sdk@1.32.2";

    private Path dir;
    private AgentwireHub hub;
    private AgentwireClient provider;
    private final AtomicReference<RequestContext> stuck = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        dir = TestHubs.shortTempDir();
        hub = TestHubs.start(dir);
        provider = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
        provider.tools()
                .register(
                        ToolSpec.of("echo", "Echoes its text"),
                        (args, ctx) -> CompletableFuture.completedFuture(
                                text("echo: " + args.path("text").asText())))
                .get(10, TimeUnit.SECONDS);
        provider.tools()
                .register(ToolSpec.of("slow", "Reports progress three times, then answers"), (args, ctx) -> {
                    CompletableFuture<JsonNode> done = new CompletableFuture<>();
                    new Thread(() -> {
                                for (int i = 1; i <= 3; i++) {
                                    ctx.progress(i, 3.0, "step " + i);
                                    sleep(50);
                                }
                                done.complete(text("slow done"));
                            })
                            .start();
                    return done;
                })
                .get(10, TimeUnit.SECONDS);
        provider.tools()
                .register(ToolSpec.of("stuck", "Reports progress once and never answers"), (args, ctx) -> {
                    stuck.set(ctx);
                    ctx.progress(1, null, "started");
                    return new CompletableFuture<>();
                })
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        provider.close();
        hub.close();
    }

    static ObjectNode text(String t) {
        ObjectNode r = Json.mapper().createObjectNode();
        r.putArray("content").addObject().put("type", "text").put("text", t);
        return r;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String url() {
        return "http://127.0.0.1:" + hub.tcpPort().getAsInt() + "/mcp";
    }

    private static JsonNode call(NodeDriver mcp, ObjectNode command) throws Exception {
        String tag = command.path("tag").asText(command.path("op").asText());
        mcp.send(command);
        return mcp.await(
                j -> (j.path("type").asText().equals("done")
                                || j.path("type").asText().equals("failed"))
                        && j.path("tag").asText().equals(tag),
                Duration.ofSeconds(30));
    }

    @Test
    void theTypeScriptSdkCallsASocketAgentsToolsWithProgressAndCancellation() throws Exception {
        try (NodeDriver mcp = NodeDriver.start("mcp-http-driver.cjs", "mcp-sdk", SDK)) {
            JsonNode connected =
                    call(mcp, NodeDriver.op("connect").put("url", url()).put("token", hub.token()));
            assertThat(connected.path("type").asText()).as("%s", connected).isEqualTo("done");
            assertThat(connected.path("value").path("sessionId").asText()).isNotEmpty();
            assertThat(connected.path("value").path("server").path("name").asText())
                    .isEqualTo("agentwire");

            JsonNode list = call(mcp, NodeDriver.op("list"));
            assertThat(list.path("value").path("tools").findValuesAsText("name"))
                    .contains("echo", "slow", "stuck");

            ObjectNode echo = NodeDriver.op("call").put("tag", "echo").put("name", "echo");
            echo.putObject("args").put("text", "over HTTP");
            JsonNode echoed = call(mcp, echo);
            assertThat(echoed.path("value")
                            .path("result")
                            .path("content")
                            .path(0)
                            .path("text")
                            .asText())
                    .isEqualTo("echo: over HTTP");

            JsonNode slow = call(mcp, NodeDriver.op("call").put("tag", "slow").put("name", "slow"));
            assertThat(slow.path("type").asText()).as("%s", slow).isEqualTo("done");
            assertThat(slow.path("value").path("progress").findValuesAsText("message"))
                    .containsExactly("step 1", "step 2", "step 3");
            assertThat(slow.path("value")
                            .path("result")
                            .path("content")
                            .path(0)
                            .path("text")
                            .asText())
                    .isEqualTo("slow done");

            JsonNode cancelled = call(
                    mcp,
                    NodeDriver.op("call")
                            .put("tag", "stuck")
                            .put("name", "stuck")
                            .put("abortAfterProgress", 1));
            assertThat(cancelled.path("type").asText()).as("%s", cancelled).isEqualTo("failed");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> stuck.get() != null && stuck.get().isCancelled());

            // A tool registered now: the client hears list_changed on its GET stream.
            provider.tools()
                    .register(
                            ToolSpec.of("late", "Registered after the client connected"),
                            (args, ctx) -> CompletableFuture.completedFuture(text("late")))
                    .get(10, TimeUnit.SECONDS);
            mcp.await(j -> j.path("type").asText().equals("list_changed"), Duration.ofSeconds(20));
            assertThat(call(mcp, NodeDriver.op("list").put("tag", "list2"))
                            .path("value")
                            .path("tools")
                            .findValuesAsText("name"))
                    .contains("late");

            JsonNode terminated = call(mcp, NodeDriver.op("terminate"));
            assertThat(terminated.path("type").asText()).as("%s", terminated).isEqualTo("done");
            JsonNode after = call(mcp, NodeDriver.op("list").put("tag", "after"));
            // The SDK forgets the id once it terminated the session; the hub wants one.
            assertThat(after.path("type").asText()).isEqualTo("failed");
            assertThat(after.path("message").asText()).contains("Mcp-Session-Id is required");
        }
    }

    @Test
    void theTypeScriptSdkCallsAPagesToolsInChromium() throws Exception {
        Assumptions.assumeTrue(Chromium.installed(), "needs Debian's chromium (CI installs it)");
        String login = provider.request(
                        "auth/login-code", Json.mapper().createObjectNode().put("page", "demo"))
                .get(10, TimeUnit.SECONDS)
                .path("url")
                .asText();
        Process browser = Chromium.start(login, dir.resolve("profile"));
        try (NodeDriver mcp = NodeDriver.start("mcp-http-driver.cjs", "mcp-sdk", SDK)) {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> provider.tools()
                            .list(null)
                            .get(10, TimeUnit.SECONDS)
                            .path("tools")
                            .findValuesAsText("name")
                            .contains("getPageContent"));
            call(mcp, NodeDriver.op("connect").put("url", url()).put("token", hub.token()));
            JsonNode list = call(mcp, NodeDriver.op("list"));
            assertThat(list.path("value").path("tools").findValuesAsText("name"))
                    .containsAll(List.of("getPageContent", "echo"));
            ObjectNode page = NodeDriver.op("call").put("tag", "page").put("name", "getPageContent");
            page.putObject("args").put("selector", "h1");
            JsonNode read = call(mcp, page);
            assertThat(read.path("type").asText()).as("%s", read).isEqualTo("done");
            assertThat(read.path("value")
                            .path("result")
                            .path("content")
                            .path(0)
                            .path("text")
                            .asText())
                    .isNotBlank();
            assertThat(read.path("value").path("result").path("isError").asBoolean())
                    .isFalse();

            // The MCP Java SDK 2.1.0 calls the same page's tool (McpJavaSdkTest has the rest of it).
            var transport = io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport.builder(
                            "http://127.0.0.1:" + hub.tcpPort().getAsInt())
                    .endpoint("/mcp")
                    .jsonMapper(new io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper(Json.mapper()))
                    .addHttpRequestCustomizer(
                            (b, method, uri, body, context) -> b.header("Authorization", "Bearer " + hub.token()))
                    .build();
            try (var sdk = io.modelcontextprotocol.client.McpClient.sync(transport)
                    .jsonSchemaValidator((schema, instance) ->
                            io.modelcontextprotocol.json.schema.JsonSchemaValidator.ValidationResponse.asValid(null))
                    .requestTimeout(Duration.ofSeconds(30))
                    .build()) {
                sdk.initialize();
                assertThat(sdk.listTools().tools())
                        .extracting(io.modelcontextprotocol.spec.McpSchema.Tool::name)
                        .contains("getPageContent");
                var r = sdk.callTool(io.modelcontextprotocol.spec.McpSchema.CallToolRequest.builder("getPageContent")
                        .arguments(java.util.Map.of("selector", "h1"))
                        .build());
                assertThat(r.isError()).isFalse();
                assertThat(((io.modelcontextprotocol.spec.McpSchema.TextContent)
                                        r.content().get(0))
                                .text())
                        .isEqualTo(read.path("value")
                                .path("result")
                                .path("content")
                                .path(0)
                                .path("text")
                                .asText());
            }
        } finally {
            browser.destroy();
            browser.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
