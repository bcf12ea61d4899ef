package dev.agentwire.core.relay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.Outbound;
import dev.agentwire.protocol.Id;
import java.util.Optional;

/**
 * Who waits for a relayed call.
 *
 * @param connection the caller's connection id: with {@code requestId}, the key its cancellation names
 * @param outbound where the call's progress goes
 * @param requestId the caller's request id; empty for a notification, which cannot be cancelled by id
 * @param progressToken the caller's {@code _meta.progressToken}; empty when it wants no progress
 */
public record Caller(long connection, Outbound outbound, Optional<Id> requestId, Optional<JsonNode> progressToken) {

    /** A caller connected to this hub. */
    public static Caller of(Connection connection, Optional<Id> requestId, Optional<JsonNode> progressToken) {
        return new Caller(connection.id(), connection.outbound(), requestId, progressToken);
    }
}
