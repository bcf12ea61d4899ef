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
 * scenarios' tools, prompts, resources and template provided by a socket agent, which asks the caller through the
 * hub for the sampling and elicitation scenarios. Every active server scenario of the suite is here. The runner
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
        catalog();
    }

    /** The prompts, resources, template and asking tools the rest of the scenarios name. */
    private static void catalog() throws Exception {
        provider.request("prompts/register", Json.mapper().readTree("""
                        {"prompts": [
                          {"name": "test_simple_prompt", "description": "A prompt without arguments"},
                          {"name": "test_prompt_with_arguments", "description": "A prompt with two arguments",
                           "arguments": [{"name": "arg1", "description": "First", "required": true},
                                         {"name": "arg2", "description": "Second", "required": true}]},
                          {"name": "test_prompt_with_embedded_resource", "description": "Embeds a resource",
                           "arguments": [{"name": "resourceUri", "description": "What to embed", "required": true}]},
                          {"name": "test_prompt_with_image", "description": "Shows an image"}
                        ]}""")).get(10, TimeUnit.SECONDS);
        provider.onRequest("prompts/get", (params, ctx) -> {
            JsonNode args = params.path("arguments");
            ArrayNode messages = Json.mapper().createArrayNode();
            switch (params.path("name").asText()) {
                case "test_simple_prompt" -> messages.add(user(text("This is a simple prompt for testing.")));
                case "test_prompt_with_arguments" ->
                    messages.add(user(text(
                            "Prompt with arguments: arg1='" + args.path("arg1").asText() + "', arg2='"
                                    + args.path("arg2").asText() + "'")));
                case "test_prompt_with_embedded_resource" -> {
                    ObjectNode r = Json.mapper().createObjectNode().put("type", "resource");
                    r.putObject("resource")
                            .put("uri", args.path("resourceUri").asText())
                            .put("mimeType", "text/plain")
                            .put("text", "Embedded resource content for testing.");
                    messages.add(user(r));
                    messages.add(user(text("Please process the embedded resource above.")));
                }
                default -> {
                    messages.add(user(image()));
                    messages.add(user(text("Please analyze the image above.")));
                }
            }
            ObjectNode out = Json.mapper().createObjectNode();
            out.set("messages", messages);
            return CompletableFuture.completedFuture(out);
        });
        provider.onRequest("completion/complete", (params, ctx) -> {
            ObjectNode out = Json.mapper().createObjectNode();
            ObjectNode completion = out.putObject("completion");
            completion
                    .putArray("values")
                    .add(params.path("argument").path("value").asText() + "-completed");
            completion.put("total", 1).put("hasMore", false);
            return CompletableFuture.completedFuture(out);
        });
        provider.request("resources/register", Json.mapper().readTree("""
                        {"resources": [
                          {"uri": "test://static-text", "name": "static-text", "mimeType": "text/plain"},
                          {"uri": "test://static-binary", "name": "static-binary", "mimeType": "image/png"},
                          {"uri": "test://watched-resource", "name": "watched", "mimeType": "text/plain"}
                         ],
                         "resourceTemplates": [
                          {"uriTemplate": "test://template/{id}/data", "name": "template",
                           "mimeType": "application/json"}
                        ]}""")).get(10, TimeUnit.SECONDS);
        provider.onRequest("resources/read", (params, ctx) -> {
            String uri = params.path("uri").asText();
            ObjectNode content = Json.mapper().createObjectNode().put("uri", uri);
            if (uri.equals("test://static-binary")) {
                content.put("mimeType", "image/png").put("blob", PNG);
            } else if (uri.startsWith("test://template/")) {
                String id = uri.substring("test://template/".length(), uri.length() - "/data".length());
                content.put("mimeType", "application/json").put("text", "{\"id\":\"" + id + "\"}");
            } else {
                content.put("mimeType", "text/plain").put("text", "This is the content of " + uri);
            }
            ObjectNode out = Json.mapper().createObjectNode();
            out.putArray("contents").add(content);
            return CompletableFuture.completedFuture(out);
        });
        register("test_sampling", "Asks the caller's LLM", (args, ctx) -> {
            ObjectNode ask = Json.mapper().createObjectNode();
            ask.putArray("messages").add(user(text(args.path("prompt").asText())));
            ask.put("maxTokens", 100);
            return ctx.askCaller("sampling/createMessage", ask)
                    .thenApply(r -> content(text(
                            "LLM response: " + r.path("content").path("text").asText())));
        });
        elicits("test_elicitation", args -> Json.mapper().readTree("""
                {"type": "object", "properties": {
                  "username": {"type": "string", "description": "User's response"},
                  "email": {"type": "string", "description": "User's email address"}},
                 "required": ["username", "email"]}"""));
        elicits("test_elicitation_sep1034_defaults", args -> Json.mapper().readTree("""
                {"type": "object", "properties": {
                  "name": {"type": "string", "default": "John Doe"},
                  "age": {"type": "integer", "default": 30},
                  "score": {"type": "number", "default": 95.5},
                  "status": {"type": "string", "enum": ["active", "inactive", "pending"], "default": "active"},
                  "verified": {"type": "boolean", "default": true}}}"""));
        elicits("test_elicitation_sep1330_enums", args -> Json.mapper().readTree("""
                {"type": "object", "properties": {
                  "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
                  "titledSingle": {"type": "string", "oneOf": [
                    {"const": "value1", "title": "First Option"}, {"const": "value2", "title": "Second Option"},
                    {"const": "value3", "title": "Third Option"}]},
                  "legacyEnum": {"type": "string", "enum": ["opt1", "opt2", "opt3"],
                    "enumNames": ["Option One", "Option Two", "Option Three"]},
                  "untitledMulti": {"type": "array", "items": {"type": "string",
                    "enum": ["option1", "option2", "option3"]}},
                  "titledMulti": {"type": "array", "items": {"anyOf": [
                    {"const": "value1", "title": "First Choice"}, {"const": "value2", "title": "Second Choice"},
                    {"const": "value3", "title": "Third Choice"}]}}}}"""));
    }

    interface Schema {
        JsonNode of(JsonNode args) throws Exception;
    }

    /** A tool that asks the caller's user for what {@code schema} describes, and answers what it heard. */
    private static void elicits(String name, Schema schema) throws Exception {
        ObjectNode input = (ObjectNode) Json.mapper().readTree("{\"type\":\"object\",\"properties\":{}}");
        provider.tools()
                .register(new ToolSpec(name, "Asks the caller's user", input), (args, ctx) -> {
                    ObjectNode ask = Json.mapper().createObjectNode();
                    ask.put("message", args.path("message").asText("Please provide your information"));
                    try {
                        ask.set("requestedSchema", schema.of(args));
                    } catch (Exception e) {
                        return CompletableFuture.failedFuture(e);
                    }
                    return ctx.askCaller("elicitation/create", ask)
                            .thenApply(r -> content(text("User response: action="
                                    + r.path("action").asText() + ", content=" + r.path("content"))));
                })
                .get(10, TimeUnit.SECONDS);
    }

    private static ObjectNode user(ObjectNode content) {
        ObjectNode m = Json.mapper().createObjectNode().put("role", "user");
        m.set("content", content);
        return m;
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
                "json-schema-2020-12",
                "prompts-list",
                "prompts-get-simple",
                "prompts-get-with-args",
                "prompts-get-embedded-resource",
                "prompts-get-with-image",
                "resources-list",
                "resources-read-text",
                "resources-read-binary",
                "resources-templates-read",
                "resources-subscribe",
                "resources-unsubscribe",
                "completion-complete",
                "tools-call-sampling",
                "tools-call-elicitation",
                "elicitation-sep1034-defaults",
                "elicitation-sep1330-enums",
                "server-sse-polling"
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
