package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * Serves a request the hub sends this client (a relayed tool call). Runs on the client's handler pool, or on the
 * connection's I/O thread when there is none ({@code handlerThreads(0)}) or {@link #onIoThread} says so.
 */
@FunctionalInterface
public interface RequestHandler {

    CompletionStage<JsonNode> handle(JsonNode params, RequestContext context);

    /**
     * Whether the request with these {@code params} runs on the I/O thread that read it, with no hand-off to a
     * handler thread: only for handlers that answer at once and never block (a blocking one stalls every
     * message of the connection). Called on the I/O thread; must be quick. Default: no.
     */
    default boolean onIoThread(JsonNode params) {
        return false;
    }
}
