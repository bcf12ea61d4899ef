package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;

/**
 * A tool to provide (MCP's {@code Tool}).
 *
 * @param name 1-128 of letters, digits, {@code _ - . /}
 * @param description what it does, for the agent
 * @param inputSchema a JSON Schema object with {@code "type": "object"}
 */
public record ToolSpec(String name, String description, JsonNode inputSchema) {

    /** A tool whose arguments are an object with any properties. */
    public static ToolSpec of(String name, String description) {
        return new ToolSpec(name, description, Json.mapper().createObjectNode().put("type", "object"));
    }

    /** The declaration sent in {@code tools/register}. */
    public ObjectNode toJson() {
        ObjectNode j = Json.mapper().createObjectNode();
        j.put("name", name);
        j.put("description", description);
        j.set("inputSchema", inputSchema);
        return j;
    }
}
