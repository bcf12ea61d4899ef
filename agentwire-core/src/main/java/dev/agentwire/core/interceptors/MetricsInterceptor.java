package dev.agentwire.core.interceptors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.HubMetrics;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.core.rpc.MethodRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** Counts every call by method and outcome ({@code ok} or the error code) into {@link HubMetrics}. */
public final class MetricsInterceptor implements Interceptor {

    private final HubMetrics metrics;
    private final MethodRegistry registry;
    private final Ticker ticker;

    public MetricsInterceptor(HubMetrics metrics, MethodRegistry registry, Ticker ticker) {
        this.metrics = metrics;
        this.registry = registry;
        this.ticker = ticker;
    }

    @Override
    public CompletionStage<JsonNode> intercept(Call call, Chain next) {
        String row = registry.contains(call.method()) ? call.method() : HubMetrics.UNKNOWN;
        CompletionStage<JsonNode> stage;
        try {
            stage = next.proceed(call);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((r, e) -> metrics.record(row, outcome(e), ticker.nanoTime() - call.receivedNanos()));
    }

    private static String outcome(Throwable e) {
        if (e == null) {
            return "ok";
        }
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof HubException he ? Integer.toString(he.code().code()) : "-32603";
    }
}
