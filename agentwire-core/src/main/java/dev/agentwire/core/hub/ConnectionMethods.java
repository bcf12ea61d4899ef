package dev.agentwire.core.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
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

    public static void register(HubCore core) {
        core.registry().register("hub/connections", Access.scope("admin"), call -> {
            ObjectNode out = Json.mapper().createObjectNode();
            ArrayNode arr = out.putArray("connections");
            core.connections().stream()
                    .sorted(Comparator.comparingLong(Connection::id))
                    .forEach(c -> arr.add(describe(core, c)));
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
            ObjectNode out = describe(core, c);
            ObjectNode options = out.putObject("socketOptions");
            c.outbound()
                    .socketOptions()
                    .forEach((k, v) -> options.set(k, Json.mapper().valueToTree(v)));
            return CompletableFuture.completedFuture(out);
        });
    }

    static ObjectNode describe(HubCore core, Connection c) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", c.id());
        o.put("transport", c.peer().transport().label());
        o.put("name", c.name());
        o.put("subject", c.subject());
        c.peer().uid().ifPresent(u -> o.put("uid", u));
        c.peer().pid().ifPresent(p -> o.put("pid", p));
        c.peer().executable().ifPresent(e -> o.put("process", e));
        if (c.peer().uid().isEmpty()) {
            o.put("address", c.peer().address());
        }
        o.put("session", c.session() == null ? null : c.session().id());
        ArrayNode rooms = o.putArray("rooms");
        core.rooms().roomsOf(c).forEach(rooms::add);
        long[] t = c.traffic();
        o.put("bytesIn", t[0]);
        o.put("messagesIn", t[1]);
        o.put("bytesOut", t[2]);
        o.put("messagesOut", t[3]);
        o.put("pendingOutboundBytes", c.outbound().pendingBytes());
        o.put("rateLimited", c.rateLimitedCount());
        o.put("ageMs", System.currentTimeMillis() - c.openedAtMillis());
        return o;
    }
}
