package dev.agentwire.core.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * Whether validating against a schema takes time in proportion to the arguments alone, so that a small call may be
 * validated on the I/O thread that read it: the schema uses only keywords that check a value's type, size or range
 * (no {@code pattern}, {@code format}, {@code $ref} or combinators). Stateless.
 */
final class QuickSchema {

    /** The keywords of a quick schema; anything else sends the call to a worker. */
    private static final Set<String> KEYWORDS = Set.of(
            "$schema",
            "type",
            "title",
            "description",
            "default",
            "examples",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "enum",
            "const",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "minProperties",
            "maxProperties");

    private static final int MAX_DEPTH = 8;

    private QuickSchema() {}

    static boolean test(JsonNode schema) {
        return test(schema, 0);
    }

    private static boolean test(JsonNode schema, int depth) {
        if (schema.isBoolean()) {
            return true;
        }
        if (!schema.isObject() || depth > MAX_DEPTH) {
            return false;
        }
        for (Map.Entry<String, JsonNode> f : schema.properties()) {
            String key = f.getKey();
            JsonNode value = f.getValue();
            if (!KEYWORDS.contains(key)) {
                return false;
            }
            boolean ok = switch (key) {
                case "properties" -> properties(value, depth);
                case "items", "additionalProperties" -> test(value, depth + 1);
                default -> true;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean properties(JsonNode properties, int depth) {
        if (!properties.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> p : properties.properties()) {
            if (!test(p.getValue(), depth + 1)) {
                return false;
            }
        }
        return true;
    }
}
