package dev.agentwire.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ToolHandler;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.NodePackages;
import dev.agentwire.server.testing.TestHubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server scenarios of {@code @modelcontextprotocol/conformance} 0.1.11 (npm) against {@code /mcp}, with the
 * scenarios' tools provided by a socket agent. These are the scenarios a hub of tools can take: the others need
 * resources, prompts, completions, logging, sampling or elicitation, which the hub does not serve. The runner
 * cannot send a header, so the token rides in the URL ({@code ?token=}, which the hub takes as it takes a Bearer).
 */
class McpConformanceTest {

    static final String PACKAGE = "@modelcontextprotocol/conformance@0.1.11";

    private static final String PNG =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    private static final String WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=";

    private static AgentwireHub hub;
    private static AgentwireClient provider;

    @BeforeAll
    static void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir());
        provider = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
        fixed("test_simple_text", "Returns simple text", content(text("This is a simple text response for testing.")));
        fixed("test_image_content", "Returns an image", content(image()));
        fixed(
                "test_audio_content",
                "Returns audio",
                content(Json.mapper()
                        .createObjectNode()
                        .put("type", "audio")
                        .put("data", WAV)
                        .put("mimeType", "audio/wav")));
        fixed(
                "test_embedded_resource",
                "Returns an embedded resource",
                content(resource("test://embedded-resource", "text/plain", "This is an embedded resource content.")));
        fixed(
                "test_multiple_content_types",
                "Returns text, an image and a resource",
                content(
                        text("Multiple content types test:"),
                        image(),
                        resource(
                                "test://mixed-content-resource",
                                "application/json",
                                "{\"test\":\"data\",\"value\":123}")));
        ObjectNode error = content(text("This intentionally returns an error for testing"));
        error.put("isError", true);
        fixed("test_error_handling", "Returns a tool error", error);
        // The scenarios' tools space their messages ~50 ms apart, as the conformance suite describes them.
        register("test_tool_with_logging", "Logs three messages while it runs", (args, ctx) -> {
            CompletableFuture<JsonNode> done = new CompletableFuture<>();
            new Thread(() -> {
                        for (String m : new String[] {
                            "Tool execution started", "Tool processing data", "Tool execution completed"
                        }) {
                            provider.notify(
                                    "notifications/message",
                                    Json.mapper()
                                            .createObjectNode()
                                            .put("level", "info")
                                            .put("data", m));
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        done.complete(content(text("Logging complete")));
                    })
                    .start();
            return done;
        });
        register("test_tool_with_progress", "Reports progress 0, 50, 100", (args, ctx) -> {
            CompletableFuture<JsonNode> done = new CompletableFuture<>();
            new Thread(() -> {
                        for (int p = 0; p <= 100; p += 50) {
                            ctx.progress(p, 100.0, "at " + p);
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        done.complete(content(text("Progress complete")));
                    })
                    .start();
            return done;
        });
        provider.tools()
                .register(
                        new ToolSpec(
                                "json_schema_2020_12_tool",
                                "Tool with JSON Schema 2020-12 features",
                                Json.mapper()
                                        .readTree("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
                                                + "\"type\":\"object\",\"$defs\":{\"address\":{\"type\":\"object\",\"properties\":"
                                                + "{\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
                                                + "\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":"
                                                + "\"#/$defs/address\"}},\"additionalProperties\":false}")),
                        (args, ctx) -> CompletableFuture.completedFuture(content(text("ok"))))
                .get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (provider != null) {
            provider.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private static void fixed(String name, String description, ObjectNode result) throws Exception {
        register(name, description, (args, ctx) -> CompletableFuture.completedFuture(result));
    }

    private static void register(String name, String description, ToolHandler handler) throws Exception {
        provider.tools()
                .register(
                        new ToolSpec(
                                name, description, Json.mapper().readTree("{\"type\":\"object\",\"properties\":{}}")),
                        handler)
                .get(10, TimeUnit.SECONDS);
    }

    private static ObjectNode content(ObjectNode... items) {
        ObjectNode r = Json.mapper().createObjectNode();
        ArrayNode c = r.putArray("content");
        for (ObjectNode i : items) {
            c.add(i);
        }
        return r;
    }

    private static ObjectNode text(String t) {
        return Json.mapper().createObjectNode().put("type", "text").put("text", t);
    }

    private static ObjectNode image() {
        return Json.mapper()
                .createObjectNode()
                .put("type", "image")
                .put("data", PNG)
                .put("mimeType", "image/png");
    }

    private static ObjectNode resource(String uri, String mimeType, String text) {
        ObjectNode r = Json.mapper().createObjectNode().put("type", "resource");
        r.putObject("resource").put("uri", uri).put("mimeType", mimeType).put("text", text);
        return r;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "server-initialize",
                "ping",
                "logging-set-level",
                "tools-list",
                "tools-call-simple-text",
                "tools-call-image",
                "tools-call-audio",
                "tools-call-embedded-resource",
                "tools-call-mixed-content",
                "tools-call-error",
                "tools-call-with-progress",
                "tools-call-with-logging",
                "server-sse-multiple-streams",
                "dns-rebinding-protection",
                "json-schema-2020-12"
            })
    void theScenarioPasses(String scenario) throws Exception {
        Path modules = NodePackages.install("mcp-conformance", PACKAGE);
        Path cli = modules.resolve("@modelcontextprotocol/conformance/dist/index.js");
        String url = "http://127.0.0.1:" + hub.tcpPort().getAsInt() + "/mcp?token=" + hub.token();
        Process p = new ProcessBuilder("node", cli.toString(), "server", "--url", url, "--scenario", scenario)
                .redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String report = new String(out, StandardCharsets.UTF_8).replace(hub.token(), "TOKEN");
        assertThat(report).as(report).doesNotContain("FAILURE").contains("Passed:");
        assertThat(p.exitValue()).as(report).isZero();
    }
}
