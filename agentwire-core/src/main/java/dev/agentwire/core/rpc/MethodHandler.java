package dev.agentwire.core.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * Handles one method. It may answer at once (a completed stage) or later; it throws or fails the stage with a
 * {@link dev.agentwire.core.HubException} to answer with an error.
 */
@FunctionalInterface
public interface MethodHandler {

    CompletionStage<JsonNode> handle(Call call);
}
