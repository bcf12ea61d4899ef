package dev.agentwire.core.interceptors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every call and its outcome at INFO on the {@code agentwire.transport} logger, when
 * {@code logging.transport: true}. Params are logged up to 512 characters.
 */
public final class TraceInterceptor implements Interceptor {

    private static final Logger log = LoggerFactory.getLogger("agentwire.transport");
    private static final int MAX_PARAMS_CHARS = 512;

    @Override
    public CompletionStage<JsonNode> intercept(Call call, Chain next) {
        String id = call.id().map(Object::toString).orElse("-");
        String params = call.params().isMissingNode() ? "" : call.params().toString();
        if (params.length() > MAX_PARAMS_CHARS) {
            params = params.substring(0, MAX_PARAMS_CHARS) + "…";
        }
        log.info("{} -> {} id={} {}", call.connection(), call.method(), id, params);
        CompletionStage<JsonNode> stage;
        try {
            stage = next.proceed(call);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((r, e) -> log.info(
                "{} <- {} id={} {}",
                call.connection(),
                call.method(),
                id,
                e == null ? "ok" : "error: " + e.getMessage()));
    }
}
