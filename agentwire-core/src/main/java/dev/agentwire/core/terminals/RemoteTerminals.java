package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The terminals of other hubs of a cluster, as this hub's callers reach them: their {@code terminals/list}
 * entries, and a call on a terminal that is not here relayed to the hub that has it. {@link #NONE} for a hub
 * alone. Never blocks the caller.
 */
public interface RemoteTerminals {

    /** Every other hub's terminals, each entry with its {@code hub}; a hub that does not answer is left out. */
    CompletableFuture<ArrayNode> list();

    /**
     * Relays {@code method} with {@code params} to the hub that has terminal {@code id}, with its answer or error;
     * empty if no other hub has it.
     */
    Optional<CompletableFuture<JsonNode>> relay(String id, String method, JsonNode params);

    /** A hub alone: no other hub's terminals. */
    RemoteTerminals NONE = new RemoteTerminals() {
        @Override
        public CompletableFuture<ArrayNode> list() {
            return CompletableFuture.completedFuture(
                    dev.agentwire.protocol.Json.mapper().createArrayNode());
        }

        @Override
        public Optional<CompletableFuture<JsonNode>> relay(String id, String method, JsonNode params) {
            return Optional.empty();
        }
    };
}
