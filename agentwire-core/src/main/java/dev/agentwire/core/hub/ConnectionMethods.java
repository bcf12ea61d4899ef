package dev.agentwire.core.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubContext;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;

/**
 * {@code hub/connections} (like NATS' connz) and {@code hub/connection {id}} (the same plus the socket options
 * read from the live channel). Scope {@code admin}.
 */
public final class ConnectionMethods {

    private ConnectionMethods() {}

    public static void register(HubContext core) {
        core.registry().register("hub/connections", Access.scope("admin"), call -> {
            ObjectNode out = Json.mapper().createObjectNode();
            ArrayNode arr = out.putArray("connections");
            core.connections().stream()
                    .sorted(Comparator.comparingLong(Connection::id))
                    .forEach(c -> arr.add(core.describe(c)));
            return CompletableFuture.completedFuture(out);
        });
        core.registry().register("hub/connection", Access.scope("admin"), call -> {
            JsonNode id = call.params().path("id");
            if (!id.canConvertToLong()) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_params",
                        "hub/connection needs \"id\" (a connection number)");
            }
            Connection c = core.connections().stream()
                    .filter(x -> x.id() == id.asLong())
                    .findFirst()
                    .orElseThrow(() -> HubException.of(
                            ErrorCode.NOT_FOUND, "connection_not_found", "no connection " + id.asLong()));
            ObjectNode out = core.describe(c);
            ObjectNode options = out.putObject("socketOptions");
            c.outbound()
                    .socketOptions()
                    .forEach((k, v) -> options.set(k, Json.mapper().valueToTree(v)));
            return CompletableFuture.completedFuture(out);
        });
    }
}
