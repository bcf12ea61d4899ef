package dev.agentwire.core.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.function.LongFunction;

/**
 * The relayed calls in flight, by provider and request id and by caller and request id. Each call goes to its
 * provider under an id the provider's link gives (so any number of callers can use one provider at once, with
 * the same ids or not), and ends exactly once: with the provider's answer, with its error or its going away,
 * with a timeout ({@code -32001}, the provider is told), with the caller's cancellation ({@code -32009}, the
 * provider is told) or with the caller going away (the provider is told). A provider's progress restarts the
 * call's timeout and reaches the caller under the caller's own progress token.
 *
 * <p>Thread safe: calls start on workers, replies complete on I/O threads, timeouts fire on the timer thread.
 */
public final class RelayedCalls {

    private record ProviderKey(ProviderLink provider, long id) {}

    private record CallerKey(long connection, Id requestId) {}

    /**
     * How one call's errors name it.
     *
     * @param what the start of each message: {@code "tools/call echo"}
     * @param detail what a timeout's {@code data} carries besides {@code reason} and {@code timeoutMs}
     * @param waitedOn what a timeout's message names in parentheses, given the calls pending then:
     *     {@code "provider conn#3 (...), pending=7"}
     */
    public record Label(String what, ObjectNode detail, IntFunction<String> waitedOn) {}

    /**
     * One call to relay.
     *
     * @param method the method the provider is sent
     * @param params its params, given the id the provider will see (tools make it the progress token)
     * @param timeoutMs how long the provider may go without answering or reporting progress
     * @param label how errors name the call
     */
    public record Request(String method, LongFunction<JsonNode> params, long timeoutMs, Label label) {}

    /** What a provider's reply becomes for the caller. */
    @FunctionalInterface
    public interface Answer {

        /** The caller's result; throws (a {@link HubException}) to fail the call with that instead. */
        JsonNode apply(PeerRequests.Reply reply);

        /**
         * Called once when the call ends, before the caller hears: {@code answered} when the provider replied
         * (with a result or an error), not when it timed out, was cancelled or went away.
         */
        default void finished(boolean answered) {}
    }

    private final Timeouts timeouts;
    private final Map<ProviderKey, PendingCall> byProvider = new ConcurrentHashMap<>();
    private final Map<CallerKey, PendingCall> byCaller = new ConcurrentHashMap<>();

    public RelayedCalls(Timeouts timeouts) {
        this.timeouts = timeouts;
    }

    /** Checks a caller's timeout. */
    public static long checkTimeout(long timeoutMs) {
        if (timeoutMs <= 0) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "timeoutMs must be positive, got " + timeoutMs);
        }
        return timeoutMs;
    }

    /** Sends {@code request} to {@code provider} for {@code caller}; the caller's answer. Returns at once. */
    public CompletableFuture<JsonNode> start(Caller caller, ProviderLink provider, Request request, Answer answer) {
        checkTimeout(request.timeoutMs());
        PeerRequests.Outgoing out = provider.reserve();
        JsonNode params = request.params().apply(out.id());
        PendingCall call = new PendingCall(this, caller, provider, out.id(), request, answer);
        // In the tables before it is sent: its reply, progress or cancellation may come at once.
        byProvider.put(new ProviderKey(provider, out.id()), call);
        caller.requestId().ifPresent(id -> byCaller.put(new CallerKey(caller.connection(), id), call));
        call.arm();
        provider.send(out, request.method(), params, request.timeoutMs());
        out.reply().whenComplete(call::replied);
        return call.result();
    }

    /**
     * {@code notifications/progress} from {@code provider}: its {@code progressToken} is the id the call went
     * out under. The call's timeout starts again, and the caller hears it if it asked for progress.
     */
    public boolean progress(ProviderLink provider, JsonNode params) {
        JsonNode token = params.get("progressToken");
        if (token == null || !token.canConvertToLong()) {
            return false;
        }
        PendingCall call = byProvider.get(new ProviderKey(provider, token.asLong()));
        if (call != null) {
            call.progress(params);
            return true;
        }
        return false;
    }

    /**
     * {@code notifications/cancelled} from the caller on connection {@code caller}: its call ends with
     * {@code -32009} and the provider is told. Whether the notice named one of its calls here.
     */
    public boolean cancelled(long caller, JsonNode params) {
        Optional<CancelNotice> notice = CancelNotice.parse(params);
        if (notice.isEmpty()) {
            return false;
        }
        PendingCall call = byCaller.get(new CallerKey(caller, notice.get().requestId()));
        if (call == null) {
            return false;
        }
        call.cancel(notice.get().reason());
        return true;
    }

    /**
     * Where a message names the request it belongs to, by that request's id on the same link (a key of its
     * {@code _meta}): a provider's request to the caller names the call the hub sent it; the hub's log messages
     * and requests to a caller name the caller's call.
     */
    public static final String RELATED_REQUEST = "dev.agentwire/relatedRequestId";

    /**
     * {@code notifications/message} (a log message) from {@code provider}: it reaches the caller of each call the
     * provider has not answered yet. Whether there was one.
     */
    public boolean message(ProviderLink provider, JsonNode params) {
        boolean any = false;
        for (var e : byProvider.entrySet()) {
            if (e.getKey().provider().equals(provider)) {
                e.getValue().message(params);
                any = true;
            }
        }
        return any;
    }

    /**
     * A request of {@code provider}'s to the caller of one of its calls (MCP's {@code sampling/createMessage},
     * {@code elicitation/create}, {@code roots/list}): the call is the one {@code _meta}'s {@link #RELATED_REQUEST}
     * names by the id it went to the provider under, or the provider's only call in flight. The caller must have
     * declared {@code capability}; while it answers, the call's timeout waits, and the caller has
     * {@code answerWithinMs} or the call's own timeout, whichever is longer (a person may be answering). Completes
     * with the caller's result, or fails with its error.
     */
    public CompletableFuture<JsonNode> ask(
            ProviderLink provider, String method, String capability, JsonNode params, long answerWithinMs) {
        JsonNode related = params == null ? null : params.path("_meta").get(RELATED_REQUEST);
        PendingCall call;
        if (related != null && related.canConvertToLong()) {
            call = byProvider.get(new ProviderKey(provider, related.asLong()));
        } else {
            java.util.List<PendingCall> mine = byProvider.entrySet().stream()
                    .filter(e -> e.getKey().provider().equals(provider))
                    .map(Map.Entry::getValue)
                    .toList();
            if (mine.size() > 1) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "related_request_needed",
                        method + ": " + mine.size() + " of your calls are in flight; name the one this belongs to in"
                                + " _meta[\"" + RELATED_REQUEST + "\"] (the id its request came with)");
            }
            call = mine.isEmpty() ? null : mine.get(0);
        }
        if (call == null) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "no_such_call",
                    method + " belongs to no call of yours in flight"
                            + (related == null ? "" : " (" + RELATED_REQUEST + " " + related + ")"));
        }
        ObjectNode out = params != null && params.isObject()
                ? ((ObjectNode) params).deepCopy()
                : dev.agentwire.protocol.Json.mapper().createObjectNode();
        if (out.get("_meta") instanceof ObjectNode meta) {
            meta.remove(RELATED_REQUEST);
            if (meta.isEmpty()) {
                out.remove("_meta");
            }
        }
        return call.ask(method, capability, out, answerWithinMs);
    }

    /** The caller on connection {@code caller} went away: its calls end and their providers are told. */
    public void callerGone(long caller) {
        for (PendingCall call : byProvider.values()) {
            if (call.caller().connection() == caller) {
                call.callerGone();
            }
        }
    }

    /** Calls in flight. */
    public int pending() {
        return byProvider.size();
    }

    /** Takes an ended call out of the tables. */
    void remove(PendingCall call) {
        byProvider.remove(new ProviderKey(call.provider(), call.id()), call);
        call.caller()
                .requestId()
                .ifPresent(id -> byCaller.remove(new CallerKey(call.caller().connection(), id), call));
    }

    Timeouts timeouts() {
        return timeouts;
    }
}
