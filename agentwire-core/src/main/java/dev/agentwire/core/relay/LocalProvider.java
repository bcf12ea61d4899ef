package dev.agentwire.core.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;

/** A provider connected to this hub: requests go out on its connection, numbered by its {@link PeerRequests}. */
public record LocalProvider(Connection connection) implements ProviderLink {

    @Override
    public PeerRequests.Outgoing reserve() {
        return connection.requests().reserve();
    }

    @Override
    public void send(PeerRequests.Outgoing request, String method, JsonNode params) {
        connection.requests().send(request, method, params);
    }

    @Override
    public void cancel(long id, String reason) {
        connection.requests().forget(id);
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("requestId", id);
        p.put("reason", reason);
        notify("notifications/cancelled", p);
    }

    @Override
    public void notify(String method, JsonNode params) {
        connection.outbound().send(new Message.Notification(method, params));
    }

    /** The connection, as error messages name the provider. */
    @Override
    public String toString() {
        return connection.toString();
    }
}
