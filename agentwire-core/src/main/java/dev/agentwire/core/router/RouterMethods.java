package dev.agentwire.core.router;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code router/route}, {@code router/record} and {@code router/budget}. */
public final class RouterMethods {

    private RouterMethods() {}

    public static void register(MethodRegistry methods, LlmRouter router) {
        // Routing only computes an answer from the request; recording spend and reading the budget need "router".
        methods.register(
                "router/route",
                Access.authenticated(),
                call -> CompletableFuture.completedFuture(router.route(request(call))));
        methods.register("router/record", Access.scope("router"), call -> record(call, router));
        methods.register(
                "router/budget", Access.scope("router"), call -> CompletableFuture.completedFuture(router.budget()));
    }

    record Route(
            @JsonProperty("token_count") Long tokenCount,
            @JsonProperty("task_type") String taskType,
            @JsonProperty("priority") String priority,
            @JsonProperty("max_latency") Long maxLatency,
            @JsonProperty("interface") String callerInterface) {}

    /** The routing request in {@code call}'s params (the seed's field names). */
    public static LlmRouter.Request request(Call call) {
        Route r = call.params(Route.class);
        if (r.tokenCount() == null) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "router/route needs \"token_count\"");
        }
        return new LlmRouter.Request(
                r.tokenCount(),
                Optional.ofNullable(r.taskType()).filter(t -> !t.isEmpty()),
                r.priority() == null ? "normal" : r.priority(),
                r.maxLatency() == null ? 0 : r.maxLatency());
    }

    record Record(
            @JsonProperty("provider") String provider,
            @JsonProperty("tokens") Long tokens) {}

    private static CompletionStage<JsonNode> record(Call call, LlmRouter router) {
        Record r = call.params(Record.class);
        if (r.provider() == null || r.tokens() == null) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "router/record needs \"provider\" and \"tokens\"");
        }
        return CompletableFuture.completedFuture(router.record(r.provider(), r.tokens()));
    }
}
