package dev.agentwire.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code error} member of a JSON-RPC error response.
 *
 * @param code the numeric error code
 * @param message a sentence that explains the error with its numbers
 * @param data extra detail, conventionally an object with {@code reason}; {@link MissingNode} when absent
 */
public record RpcError(int code, String message, JsonNode data) {

    public RpcError {
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
        if (data == null) {
            data = MissingNode.getInstance();
        }
    }

    /** An error with {@code data: {reason}}. */
    public static RpcError of(ErrorCode code, String message, String reason) {
        ObjectNode data = Json.mapper().createObjectNode();
        data.put("reason", reason);
        return new RpcError(code.code(), message, data);
    }

    /** An error with the given data object. */
    public static RpcError of(ErrorCode code, String message, JsonNode data) {
        return new RpcError(code.code(), message, data);
    }

    /** {@code data.reason}, or an empty string when there is none. */
    public String reason() {
        return data.path("reason").asText("");
    }
}
