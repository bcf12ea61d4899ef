package dev.agentwire.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.relay.ProviderLink;

/**
 * A provider on another hub of the cluster: connection {@code connection} of hub {@code hub}, serving the feature
 * {@code kind} ({@code tools}). Requests go to that hub's inbox ({@link Inbox}).
 */
record RemoteProvider(Inbox inbox, String hub, long connection, String kind) implements ProviderLink {

    @Override
    public PeerRequests.Outgoing reserve() {
        return inbox.reserve(this);
    }

    @Override
    public void send(PeerRequests.Outgoing request, String method, JsonNode params) {
        inbox.send(this, request, method, params, 86_400_000L);
    }

    @Override
    public void send(PeerRequests.Outgoing request, String method, JsonNode params, long timeoutMs) {
        inbox.send(this, request, method, params, timeoutMs);
    }

    @Override
    public void cancel(long id, String reason) {
        inbox.cancel(this, id, reason);
    }

    @Override
    public void notify(String method, JsonNode params) {
        inbox.notify(this, method, params);
    }

    @Override
    public String toString() {
        return "connection " + connection + " on hub " + hub;
    }
}
