package dev.agentwire.core.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.util.concurrent.CompletableFuture;

/**
 * A feature's relay as another hub reaches it: calls from that hub's callers for a provider connected here, and
 * the progress of calls made here to that hub's providers. A cluster carries them between hubs; the feature treats
 * them as its own (the same timeouts, cancellation and progress), the caller stands for the other hub's caller.
 */
public interface RelayEndpoint {

    /**
     * Relays a call from another hub to {@code provider}; completes with the provider's reply as it came
     * ({@link #raw}), for the caller's hub to make its answer of, or fails as a local call would.
     */
    CompletableFuture<JsonNode> relayIn(Caller caller, Connection provider, JsonNode params, long timeoutMs);

    /** {@code notifications/progress} of a call made here, from a provider on another hub ({@code provider}). */
    void progress(ProviderLink provider, JsonNode params);

    /** A caller on another hub cancelled (see {@link RelayedCalls#cancelled}). */
    boolean cancelled(long caller, JsonNode params);

    /** Callers on another hub are gone (it stopped beating). */
    void callerGone(long caller);

    /** A provider's reply as it crosses hubs: {@code {result}} or {@code {error: {code, message, data}}}. */
    static JsonNode raw(PeerRequests.Reply reply) {
        ObjectNode out = Json.mapper().createObjectNode();
        if (reply.message() instanceof Message.Response r) {
            out.set("result", r.result());
        } else if (reply.message() instanceof Message.ErrorResponse e) {
            ObjectNode error = out.putObject("error");
            error.put("code", e.error().code());
            error.put("message", e.error().message());
            if (e.error().data() != null) {
                error.set("data", e.error().data());
            }
        }
        return out;
    }

    /** {@link #raw}'s reply back as a message answering request {@code id}, of {@code sizeBytes}. */
    static PeerRequests.Reply unraw(long id, JsonNode raw, int sizeBytes) {
        dev.agentwire.protocol.Id rid = dev.agentwire.protocol.Id.of(id);
        JsonNode error = raw.get("error");
        Message m = error != null
                ? new Message.ErrorResponse(
                        rid,
                        new dev.agentwire.protocol.RpcError(
                                error.path("code").asInt(),
                                error.path("message").asText(),
                                error.get("data")))
                : new Message.Response(rid, raw.get("result"));
        return new PeerRequests.Reply(m, sizeBytes);
    }
}
