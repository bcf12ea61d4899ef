package dev.agentwire.core.calls;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.core.sessions.SessionManager;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * Hands every {@code tools/call} and {@code services/request} to the {@link CallWriter} once it ended, however it
 * ended (answer, error, timeout, cancellation, the caller gone). On the call path it only reads a few fields and
 * queues: the redaction, the sizes and the store are the writer's. Other methods pass untouched.
 */
final class CallRecorder implements Interceptor {

    private final CallWriter writer;
    private final Ticker ticker;
    private final LongSupplier clock;

    CallRecorder(CallWriter writer, Ticker ticker, LongSupplier clock) {
        this.writer = writer;
        this.ticker = ticker;
        this.clock = clock;
    }

    @Override
    public CompletionStage<JsonNode> intercept(Call call, Chain next) {
        String kind = switch (call.method()) {
            case "tools/call" -> CallRecord.TOOL;
            case "services/request" -> CallRecord.SERVICE;
            default -> null;
        };
        if (kind == null || !call.params().isObject()) {
            return next.proceed(call);
        }
        long at = clock.getAsLong();
        long started = ticker.nanoTime();
        Connection c = call.connection();
        JsonNode p = call.params();
        String target;
        JsonNode arguments;
        if (kind.equals(CallRecord.TOOL)) {
            target = p.path("name").asText("");
            arguments = p.path("arguments").isObject()
                    ? p.get("arguments")
                    : Json.mapper().createObjectNode();
        } else {
            String action = p.path("action").asText("");
            target = p.path("service").asText("") + (action.isEmpty() ? "" : "/" + action);
            arguments = p.has("data") ? p.get("data") : Json.mapper().nullNode();
        }
        dev.agentwire.core.sessions.Session in = SessionManager.sessionOf(c);
        String session = in == null ? dev.agentwire.core.sessions.Session.DEFAULT_ID : in.id();
        String caller = c.name().isEmpty() ? c.identity() : c.name();
        CompletionStage<JsonNode> stage;
        try {
            stage = next.proceed(call);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((result, error) -> writer.offer(new CallWriter.Ended(
                at,
                kind,
                session,
                caller,
                c.identity(),
                target,
                arguments,
                (ticker.nanoTime() - started) / 1_000_000,
                error == null ? Optional.ofNullable(result) : Optional.empty(),
                error == null ? Optional.empty() : Optional.of(failure(error)))));
    }

    private static CallRecord.Failure failure(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof HubException he) {
            return new CallRecord.Failure(he.toRpcError().code(), String.valueOf(he.getMessage()));
        }
        return new CallRecord.Failure(ErrorCode.INTERNAL_ERROR.code(), String.valueOf(cause.getMessage()));
    }
}
