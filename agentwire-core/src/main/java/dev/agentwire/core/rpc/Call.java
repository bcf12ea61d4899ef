package dev.agentwire.core.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One incoming request or notification on its way through the interceptors to its handler.
 *
 * @param connection where it came from
 * @param id the request id; empty for a notification
 * @param method the method name
 * @param params the params ({@code MissingNode} when absent)
 * @param sizeBytes the size of the JSON text it arrived in
 * @param receivedNanos when it was decoded, by the hub's ticker
 */
public record Call(
        Connection connection, Optional<Id> id, String method, JsonNode params, int sizeBytes, long receivedNanos) {

    private static final ObjectMapper PARAMS = strictParamsMapper();

    /** Whether the caller waits for a reply. */
    public boolean isRequest() {
        return id.isPresent();
    }

    /**
     * Binds the params to {@code type}; absent params bind as an empty object.
     *
     * @throws HubException {@code -32602} naming the field that did not fit
     */
    public <T> T params(Class<T> type) {
        JsonNode node =
                params.isMissingNode() || params.isNull() ? Json.mapper().createObjectNode() : params;
        if (!node.isObject()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", method + " takes its params as an object");
        }
        try {
            return PARAMS.treeToValue(node, type);
        } catch (MismatchedInputException e) {
            String path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            var data = HubException.reasonData("invalid_params");
            data.put("path", path);
            throw HubException.withData(
                    ErrorCode.INVALID_PARAMS,
                    "invalid params for " + method + (path.isEmpty() ? "" : " at " + path) + ": "
                            + e.getOriginalMessage().lines().findFirst().orElse(""),
                    data);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "invalid params for " + method + ": " + e.getMessage());
        }
    }

    private static ObjectMapper strictParamsMapper() {
        ObjectMapper m = Json.mapper().copy();
        m.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        // JSON types must match: no "5" for an int, no 5 for a string, no 1 for a boolean.
        fail(m, LogicalType.Textual, CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean);
        fail(m, LogicalType.Integer, CoercionInputShape.String, CoercionInputShape.Float, CoercionInputShape.Boolean);
        fail(m, LogicalType.Float, CoercionInputShape.String, CoercionInputShape.Boolean);
        fail(m, LogicalType.Boolean, CoercionInputShape.String, CoercionInputShape.Integer, CoercionInputShape.Float);
        return m;
    }

    private static void fail(ObjectMapper m, LogicalType type, CoercionInputShape... shapes) {
        for (CoercionInputShape shape : shapes) {
            m.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
        }
    }
}
