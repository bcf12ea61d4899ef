package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/** Serves a request the hub sends this client (a relayed tool call). Runs on the client's handler pool. */
@FunctionalInterface
public interface RequestHandler {

    CompletionStage<JsonNode> handle(JsonNode params, RequestContext context);
}
