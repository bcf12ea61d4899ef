package dev.agentwire.core.relay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.AttributeKey;
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
 * @param local the caller's connection when it is on this hub: the provider's requests to the caller (MCP
 *     sampling, elicitation, roots) go to it; empty for a caller on another hub
 */
public record Caller(
        long connection,
        Outbound outbound,
        Optional<Id> requestId,
        Optional<JsonNode> progressToken,
        Optional<Connection> local) {

    /**
     * The capabilities an MCP client declared in {@code initialize}, kept on its connection: which of a provider's
     * requests ({@code sampling}, {@code elicitation}, {@code roots}) the hub may pass to it.
     */
    public static final AttributeKey<JsonNode> MCP_CAPABILITIES = new AttributeKey<>("mcp.clientCapabilities");

    /** A caller the hub cannot send requests to (one on another hub). */
    public Caller(long connection, Outbound outbound, Optional<Id> requestId, Optional<JsonNode> progressToken) {
        this(connection, outbound, requestId, progressToken, Optional.empty());
    }

    /** A caller connected to this hub. */
    public static Caller of(Connection connection, Optional<Id> requestId, Optional<JsonNode> progressToken) {
        return new Caller(connection.id(), connection.outbound(), requestId, progressToken, Optional.of(connection));
    }
}
