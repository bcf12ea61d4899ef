package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * What a request handler can do besides answering: report progress (when the caller asked for it), ask the caller
 * something (MCP sampling, elicitation, roots) and see whether the caller cancelled. Thread safe.
 */
public final class RequestContext {

    private final JsonNode progressToken;
    private final BiConsumer<String, JsonNode> notifier;
    private final Id requestId;
    private final BiFunction<String, JsonNode, CompletableFuture<JsonNode>> requester;
    private volatile boolean cancelled;

    RequestContext(
            JsonNode params,
            Id requestId,
            BiConsumer<String, JsonNode> notifier,
            BiFunction<String, JsonNode, CompletableFuture<JsonNode>> requester) {
        this.progressToken = params == null
                ? Json.mapper().missingNode()
                : params.path("_meta").path("progressToken");
        this.requestId = requestId;
        this.notifier = notifier;
        this.requester = requester;
    }

    /**
     * Asks the caller of this request: {@code sampling/createMessage} (its LLM), {@code elicitation/create} (its
     * user) or {@code roots/list}, as an MCP server asks its client. The hub passes it to the caller if the caller
     * declared the capability, and the call's timeout waits while the caller answers. Completes with the caller's
     * result, or fails with an {@link RpcException} (the caller's error, or the hub's: {@code -32601} when the caller
     * cannot answer that).
     */
    public CompletableFuture<JsonNode> askCaller(String method, JsonNode params) {
        ObjectNode p = params != null && params.isObject()
                ? ((ObjectNode) params).deepCopy()
                : Json.mapper().createObjectNode();
        ObjectNode meta = p.withObject("/_meta");
        if (requestId instanceof Id.Num n) {
            meta.put(RELATED_REQUEST, n.value());
        } else if (requestId instanceof Id.Str s) {
            meta.put(RELATED_REQUEST, s.value());
        }
        return requester.apply(method, p);
    }

    /** The {@code _meta} key that names the call a request to the caller belongs to, by the id the hub gave it. */
    public static final String RELATED_REQUEST = "dev.agentwire/relatedRequestId";

    /** Sends {@code notifications/progress}; also restarts the hub's timeout for this call. */
    public void progress(double progress, Double total, String message) {
        if (progressToken.isMissingNode() || progressToken.isNull()) {
            return;
        }
        ObjectNode p = Json.mapper().createObjectNode();
        p.set("progressToken", progressToken);
        p.put("progress", progress);
        if (total != null) {
            p.put("total", total);
        }
        if (message != null) {
            p.put("message", message);
        }
        notifier.accept("notifications/progress", p);
    }

    /** Whether the caller cancelled this call (the hub sent {@code notifications/cancelled}). */
    public boolean isCancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
    }
}
