package dev.agentwire.core.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Relays tool calls between callers and providers. Each call goes to the provider under the hub's own id (so
 * any number of callers can use one provider at once), and its answer, progress and cancellation are mapped
 * back to the caller's id and progress token. Thread safe.
 */
public final class ToolRelay {

    private final ScheduledExecutorService timers;
    private final Duration defaultTimeout;
    private final int maxResultBytes;
    private final Map<String, Pending> byProvider = new ConcurrentHashMap<>();
    private final Map<String, Pending> byCaller = new ConcurrentHashMap<>();

    public ToolRelay(ScheduledExecutorService timers, Duration defaultTimeout, int maxResultBytes) {
        this.timers = timers;
        this.defaultTimeout = defaultTimeout;
        this.maxResultBytes = maxResultBytes;
    }

    /** One call on its way. */
    private final class Pending {
        final Connection caller;
        final Id callerId;
        final Optional<JsonNode> callerToken;
        final Connection provider;
        final long hubId;
        final String tool;
        final long timeoutMs;
        final CompletableFuture<JsonNode> result = new CompletableFuture<>();
        final AtomicBoolean done = new AtomicBoolean();
        volatile ScheduledFuture<?> timer;

        Pending(
                Connection caller,
                Id callerId,
                Optional<JsonNode> callerToken,
                Connection provider,
                long hubId,
                String tool,
                long timeoutMs) {
            this.caller = caller;
            this.callerId = callerId;
            this.callerToken = callerToken;
            this.provider = provider;
            this.hubId = hubId;
            this.tool = tool;
            this.timeoutMs = timeoutMs;
        }

        void arm() {
            ScheduledFuture<?> old = timer;
            if (old != null) {
                old.cancel(false);
            }
            timer = timers.schedule(this::expire, timeoutMs, TimeUnit.MILLISECONDS);
        }

        void expire() {
            var data = HubException.reasonData("timeout");
            data.put("timeoutMs", timeoutMs);
            data.put("tool", tool);
            finish(
                    null,
                    HubException.withData(
                            ErrorCode.TIMEOUT,
                            "tools/call " + tool + " timed out after " + timeoutMs + " ms (provider " + provider
                                    + ", pending=" + byProvider.size() + ")",
                            data));
            cancelAtProvider("timeout");
        }

        void finish(JsonNode value, Throwable error) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            byProvider.remove(providerKey(provider, hubId));
            byCaller.remove(callerKey(caller, callerId));
            if (error == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(error);
            }
        }

        void cancelAtProvider(String reason) {
            provider.requests().forget(hubId);
            ObjectNode p = Json.mapper().createObjectNode();
            p.put("requestId", hubId);
            p.put("reason", reason);
            provider.outbound().send(new Message.Notification("notifications/cancelled", p));
        }
    }

    /** {@code tools/call}: validates, relays, and completes with the {@code CallToolResult}. */
    public CompletableFuture<JsonNode> call(
            Call call, ToolTable.Entry entry, JsonNode arguments, Optional<Long> timeoutMs) {
        entry.tool().validate(arguments);
        Connection caller = call.connection();
        Id callerId = call.id().orElse(Id.NULL);
        Optional<JsonNode> token = Optional.ofNullable(
                        call.params().path("_meta").get("progressToken"))
                .filter(t -> t.isTextual() || t.isIntegralNumber());
        long timeout = timeoutMs.orElse(defaultTimeout.toMillis());
        if (timeout <= 0) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "timeoutMs must be positive, got " + timeout);
        }
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("name", entry.tool().name());
        params.set("arguments", arguments);
        // The hub's request id doubles as the provider's progress token.
        PeerRequests.Outgoing out;
        Pending p;
        synchronized (this) {
            out = entry.provider().requests().reserve();
            p = new Pending(
                    caller,
                    callerId,
                    token,
                    entry.provider(),
                    out.id(),
                    entry.tool().name(),
                    timeout);
            byProvider.put(providerKey(p.provider, p.hubId), p);
            if (call.isRequest()) {
                byCaller.put(callerKey(caller, callerId), p);
            }
        }
        params.putObject("_meta").put("progressToken", out.id());
        p.arm();
        entry.provider().requests().send(out, "tools/call", params);
        out.reply().whenComplete((reply, error) -> {
            if (error != null) {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                p.finish(null, cause);
            } else if (reply.sizeBytes() > maxResultBytes) {
                var data = HubException.reasonData("result_too_large");
                data.put("limit", maxResultBytes);
                data.put("length", reply.sizeBytes());
                p.finish(
                        null,
                        HubException.withData(
                                ErrorCode.TOO_LARGE,
                                "the result of " + p.tool + " is " + reply.sizeBytes() + " bytes, over the limit of "
                                        + maxResultBytes + " (tools.maxResultBytes)",
                                data));
            } else {
                p.finish(CallToolResults.from(reply.message()), null);
            }
        });
        return p.result;
    }

    /** {@code notifications/progress} from a provider: relayed to the caller, and the timeout starts again. */
    public void progress(Connection provider, JsonNode params) {
        JsonNode token = params.get("progressToken");
        if (token == null || !token.canConvertToLong()) {
            return;
        }
        Pending p = byProvider.get(providerKey(provider, token.asLong()));
        if (p == null || p.done.get()) {
            return;
        }
        p.arm();
        if (p.callerToken.isPresent()) {
            ObjectNode out = ((ObjectNode) params).deepCopy();
            out.set("progressToken", p.callerToken.get());
            p.caller.outbound().send(new Message.Notification("notifications/progress", out));
        }
    }

    /** {@code notifications/cancelled} from a caller: relayed to the provider; the caller gets {@code -32009}.
     * Whether it named one of its tool calls. */
    public boolean cancelled(Connection caller, JsonNode params) {
        JsonNode requestId = params.get("requestId");
        if (requestId == null) {
            return false;
        }
        Id id = requestId.isTextual() ? Id.of(requestId.textValue()) : Id.of(requestId.asLong());
        Pending p = byCaller.get(callerKey(caller, id));
        if (p == null) {
            return false;
        }
        String reason = params.path("reason").asText("cancelled by the caller");
        p.finish(
                null,
                HubException.of(ErrorCode.CANCELLED, "cancelled", "tools/call " + p.tool + " cancelled: " + reason));
        p.cancelAtProvider(reason);
        return true;
    }

    /** A caller went away: its calls are cancelled at their providers. */
    public void callerGone(Connection caller) {
        for (Pending p : byProvider.values()) {
            if (p.caller == caller && !p.done.get()) {
                p.finish(null, HubException.of(ErrorCode.CANCELLED, "caller_gone", "the caller disconnected"));
                p.cancelAtProvider("the caller disconnected");
            }
        }
    }

    /** Calls in flight. */
    public int pending() {
        return byProvider.size();
    }

    private static String providerKey(Connection provider, long hubId) {
        return provider.id() + "/" + hubId;
    }

    private static String callerKey(Connection caller, Id id) {
        return caller.id() + "/" + id;
    }
}
