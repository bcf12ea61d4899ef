package dev.agentwire.core.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.util.regex.Pattern;

/**
 * A tool as its provider declared it (MCP's {@code Tool}): the declaration as sent, and its compiled input
 * schema. Immutable.
 */
public final class ToolDef {

    /** MCP's advice for tool names: 1-128 of letters, digits, {@code _ - . /}. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-/]{1,128}");

    private final String name;
    private final ObjectNode declaration;
    private final JsonSchema inputSchema;

    private ToolDef(String name, ObjectNode declaration, JsonSchema inputSchema) {
        this.name = name;
        this.declaration = declaration;
        this.inputSchema = inputSchema;
    }

    /**
     * Checks one entry of {@code tools/register}: a name, a description, an {@code inputSchema} that is a JSON
     * Schema object of type object, and (optionally) a title and an {@code outputSchema}.
     *
     * @throws HubException {@code -32602} saying which tool and which field
     */
    public static ToolDef parse(JsonNode node, int index) {
        if (node == null || !node.isObject()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_tool", "tools[" + index + "] must be an object");
        }
        JsonNode n = node.get("name");
        if (n == null || !n.isTextual() || !NAME.matcher(n.textValue()).matches()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_tool",
                    "tools[" + index + "].name must be 1-128 letters, digits, '_', '-', '.' or '/', got " + n);
        }
        String name = n.textValue();
        JsonNode description = node.get("description");
        if (description == null || !description.isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_tool", "tool " + name + ": description must be a string");
        }
        JsonNode title = node.get("title");
        if (title != null && !title.isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_tool", "tool " + name + ": title must be a string");
        }
        JsonNode input = node.get("inputSchema");
        JsonSchema compiled = SchemaCheck.compile(name, "inputSchema", input);
        if (!"object".equals(input.path("type").asText())) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_schema",
                    "tool " + name + ": inputSchema must have \"type\": \"object\" (MCP)");
        }
        JsonNode output = node.get("outputSchema");
        if (output != null) {
            SchemaCheck.compile(name, "outputSchema", output);
        }
        return new ToolDef(name, ((ObjectNode) node).deepCopy(), compiled);
    }

    public String name() {
        return name;
    }

    /** The declaration as {@code tools/list} shows it. */
    public ObjectNode declaration() {
        return declaration.deepCopy();
    }

    /** Validates call arguments: {@code -32602} with {@code data.path} when they do not fit. */
    public void validate(JsonNode arguments) {
        SchemaCheck.validate(name, inputSchema, arguments);
    }
}
