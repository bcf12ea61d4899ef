package dev.agentwire.core.relay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Id;
import java.util.Optional;

/**
 * The params of a caller's {@code notifications/cancelled {requestId, reason?}}: which of its requests, and why.
 *
 * @param requestId the caller's id of the request, a string or a whole number
 * @param reason the caller's reason, or "cancelled by the caller"
 */
public record CancelNotice(Id requestId, String reason) {

    /** The notice in {@code params}; empty when it names no request id a caller could have used. */
    public static Optional<CancelNotice> parse(JsonNode params) {
        JsonNode id = params.get("requestId");
        if (id == null || !(id.isTextual() || id.canConvertToLong())) {
            return Optional.empty();
        }
        return Optional.of(new CancelNotice(
                id.isTextual() ? Id.of(id.textValue()) : Id.of(id.asLong()),
                params.path("reason").asText("cancelled by the caller")));
    }
}
