package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** aw sessions, aw tools, aw call and aw mcp against a real hub with a real tool provider. */
class ToolCommandsTest {

    private Path dir;
    private AgentwireHub hub;
    private AgentwireClient provider;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "awtool");
        hub = AgentwireHub.builder()
                .home(dir.resolve("home"))
                .set("clientPort", "0")
                .build()
                .start();
        provider = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name("provider")
                .connect();
        provider.tools()
                .register(
                        new ToolSpec(
                                "greet",
                                "says hello",
                                Json.mapper()
                                        .readTree(
                                                "{\"type\":\"object\",\"properties\":{\"who\":{\"type\":\"string\"}},\"required\":[\"who\"]}")),
                        (a, ctx) -> {
                            ctx.progress(1, 2.0, "thinking");
                            ctx.progress(2, 2.0, "done");
                            return CompletableFuture.completedFuture(Json.mapper()
                                    .getNodeFactory()
                                    .textNode("hello, " + a.path("who").asText()));
                        })
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        provider.close();
        hub.close();
    }

    @Test
    void toolsAndSessionsAreListed() throws Exception {
        AwRunner.Result tools = aw("tools", "--connect", hub.endpoint());
        assertThat(tools.code()).isZero();
        assertThat(tools.out()).contains("greet").contains("says hello");
        JsonNode json = Json.mapper()
                .readTree(aw("tools", "--json", "--connect", hub.endpoint()).out());
        assertThat(json.get(0).path("inputSchema").path("required").get(0).asText())
                .isEqualTo("who");
        AwRunner.Result sessions = aw("sessions", "--connect", hub.endpoint());
        assertThat(sessions.out()).contains("default");
        assertThat(aw("tools", "--session", "nope", "--connect", hub.endpoint()).err())
                .contains("no session nope");
    }

    @Test
    void callPrintsTheResultAndDrawsProgress() {
        AwRunner.Result r = aw("call", "greet", "{\"who\":\"ada\"}", "--connect", hub.endpoint(), "--timeout", "10s");
        assertThat(r.code()).isZero();
        assertThat(r.out().trim()).isEqualTo("hello, ada");
        assertThat(r.err()).as("the progress bar").contains("100%").contains("done");
    }

    @Test
    void callReportsBadInputClearly() {
        AwRunner.Result notJson = aw("call", "greet", "{who", "--connect", hub.endpoint());
        assertThat(notJson.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(notJson.err()).contains("ARGS is not JSON");
        AwRunner.Result schema = aw("call", "greet", "{}", "--connect", hub.endpoint());
        assertThat(schema.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(schema.err()).contains("inputSchema").contains("who");
        AwRunner.Result unknown = aw("call", "nope", "--connect", hub.endpoint());
        assertThat(unknown.err()).contains("no live provider for tool nope");
        assertThat(aw("call", "greet", "{\"who\":\"x\"}", "--timeout", "soon", "--connect", hub.endpoint())
                        .code())
                .isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void theMcpJavaSdkUsesTheHubsToolsThroughAwMcp() throws Exception {
        List<String> cmd = AwRunner.processCommand("mcp", "--connect", hub.endpoint());
        ServerParameters params = ServerParameters.builder(cmd.get(0))
                .args(cmd.subList(1, cmd.size()))
                .build();
        StdioClientTransport transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(Json.mapper()));
        try (McpSyncClient mcp = McpClient.sync(transport)
                // The SDK's own output-schema check wants networknt 2.x; the hub checks arguments itself.
                .jsonSchemaValidator((schema, instance) ->
                        io.modelcontextprotocol.json.schema.JsonSchemaValidator.ValidationResponse.asValid(null))
                .requestTimeout(Duration.ofSeconds(30))
                .build()) {
            McpSchema.InitializeResult init = mcp.initialize();
            assertThat(init.serverInfo().name()).isEqualTo("agentwire");
            assertThat(init.capabilities().tools().listChanged()).isTrue();
            McpSchema.ListToolsResult tools = mcp.listTools();
            assertThat(tools.tools()).extracting(McpSchema.Tool::name).contains("greet");
            McpSchema.CallToolResult r = mcp.callTool(McpSchema.CallToolRequest.builder("greet")
                    .arguments(Map.of("who", "mcp"))
                    .build());
            assertThat(r.isError()).isFalse();
            assertThat(((McpSchema.TextContent) r.content().get(0)).text()).isEqualTo("hello, mcp");
        }
    }

    @Test
    void awMcpExitsCleanlyAtTheEndOfItsInput() throws Exception {
        Process p = new ProcessBuilder(AwRunner.processCommand("mcp", "--connect", hub.endpoint())).start();
        p.getOutputStream()
                .write(
                        ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n"
                                        + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}\n")
                                .getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList();
        assertThat(lines).hasSize(2);
        assertThat(Json.mapper()
                        .readTree(lines.get(1))
                        .path("result")
                        .path("tools")
                        .get(0)
                        .path("name")
                        .asText())
                .isEqualTo("greet");
    }
}
