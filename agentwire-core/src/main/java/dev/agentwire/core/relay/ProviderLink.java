package dev.agentwire.core.relay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.PeerRequests;

/**
 * The way to one provider of relayed calls (and of the notices that concern it). {@link LocalProvider} reaches a connection on this hub; a link to a
 * provider on another hub implements the same three steps.
 *
 * <p>Two links to the same provider must be equal (progress is matched to its call by link and id). Thread safe.
 */
public interface ProviderLink {

    /**
     * Takes the id the provider will see for the next request, and the future its reply completes, without
     * sending anything yet. The future fails with {@code -32003} if the provider goes away before it answers.
     */
    PeerRequests.Outgoing reserve();

    /** Sends a reserved request. */
    void send(PeerRequests.Outgoing request, String method, JsonNode params);

    /**
     * Sends a reserved request that its caller waits {@code timeoutMs} for: a link to another hub passes the
     * deadline on, so that the far side gives up too. The same as {@link #send(PeerRequests.Outgoing, String,
     * JsonNode)} unless a link overrides it.
     */
    default void send(PeerRequests.Outgoing request, String method, JsonNode params, long timeoutMs) {
        send(request, method, params);
    }

    /**
     * Tells the provider that nobody waits for request {@code id} any more ({@code notifications/cancelled});
     * a late reply to it is dropped.
     */
    void cancel(long id, String reason);

    /** Tells the provider something that needs no answer (a notification, such as that its tool was taken over). */
    void notify(String method, JsonNode params);
}
