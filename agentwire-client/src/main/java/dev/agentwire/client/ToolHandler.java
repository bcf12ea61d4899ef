package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * Runs a tool. The answer may be any JSON value (the hub wraps it into a {@code CallToolResult}) or a
 * {@code CallToolResult} itself; a failed stage becomes a tool error ({@code isError: true}).
 */
@FunctionalInterface
public interface ToolHandler {

    CompletionStage<JsonNode> call(JsonNode arguments, RequestContext context);
}
