package dev.agentwire.core.tools;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RawJson;
import dev.agentwire.protocol.RpcError;

/**
 * Turns a provider's answer into MCP's {@code CallToolResult {content, isError, structuredContent}}. An answer
 * that already has a {@code content} array passes as it is; any other value becomes one text item (and, if it
 * is an object, also {@code structuredContent}); a JSON-RPC error from the provider is a tool error
 * ({@code isError: true}) whose text is the provider's message, with the error itself under
 * {@code _meta["dev.agentwire/error"]}. An answer kept as text ({@link RawJson}) that has a {@code content} array
 * passes as that text, with {@code "isError":false} put first when it has none; only other answers are parsed.
 */
final class CallToolResults {

    private CallToolResults() {}

    static JsonNode from(Message reply) {
        if (reply instanceof Message.ErrorResponse e) {
            return toolError(e.error());
        }
        JsonNode result = ((Message.Response) reply).result();
        if (result instanceof RawJson raw) {
            if (raw.field("content").orElse(null) == JsonToken.START_ARRAY) {
                return raw.field("isError").isPresent() ? raw : raw.withFirstMember("isError", false);
            }
            result = raw.tree();
        }
        if (result.isObject() && result.path("content").isArray()) {
            ObjectNode r = ((ObjectNode) result).deepCopy();
            if (!r.has("isError")) {
                r.put("isError", false);
            }
            return r;
        }
        ObjectNode r = Json.mapper().createObjectNode();
        ObjectNode text = r.putArray("content").addObject();
        text.put("type", "text");
        text.put("text", result.isTextual() ? result.textValue() : result.toString());
        if (result.isObject()) {
            r.set("structuredContent", result);
        }
        r.put("isError", false);
        return r;
    }

    private static JsonNode toolError(RpcError error) {
        ObjectNode r = Json.mapper().createObjectNode();
        ObjectNode text = r.putArray("content").addObject();
        text.put("type", "text");
        text.put("text", error.message());
        r.put("isError", true);
        ObjectNode e = r.putObject("_meta").putObject("dev.agentwire/error");
        e.put("code", error.code());
        e.put("message", error.message());
        if (!error.data().isMissingNode()) {
            e.set("data", error.data());
        }
        return r;
    }
}
