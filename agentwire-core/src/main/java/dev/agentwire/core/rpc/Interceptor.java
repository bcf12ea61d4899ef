package dev.agentwire.core.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * A step every call passes through before its handler: authentication, limits, metrics, tracing. An
 * interceptor either refuses (throws a {@link dev.agentwire.core.HubException}) or calls {@code next.proceed}.
 * Interceptors run on the thread the call runs on and must never block.
 */
@FunctionalInterface
public interface Interceptor {

    CompletionStage<JsonNode> intercept(Call call, Chain next);

    /** The rest of the chain. */
    @FunctionalInterface
    interface Chain {
        CompletionStage<JsonNode> proceed(Call call);
    }
}
