package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.util.function.BiConsumer;

/**
 * What a request handler can do besides answering: report progress (when the caller asked for it) and see
 * whether the caller cancelled. Thread safe.
 */
public final class RequestContext {

    private final JsonNode progressToken;
    private final BiConsumer<String, JsonNode> notifier;
    private volatile boolean cancelled;

    RequestContext(JsonNode params, BiConsumer<String, JsonNode> notifier) {
        this.progressToken = params.path("_meta").path("progressToken");
        this.notifier = notifier;
    }

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
