package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * Serves one service's requests. Complete with the answer's data, or exceptionally with an
 * {@link RpcException} to answer an error. Runs on the client's handler pool.
 */
@FunctionalInterface
public interface ServiceHandler {

    CompletionStage<JsonNode> handle(ServiceRequest request, RequestContext context);
}
