package dev.agentwire.core.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/** One relayed call on its way: it ends once, however many of its endings race. Thread safe. */
final class PendingCall {

    private final RelayedCalls calls;
    private final Caller caller;
    private final ProviderLink provider;
    private final long id;
    private final RelayedCalls.Request request;
    private final RelayedCalls.Answer answer;
    private final CompletableFuture<JsonNode> result = new CompletableFuture<>();
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Future<?> timer;
    /** The caller's answers the provider waits for: the call's timeout waits for them too. */
    private int asking;

    /** Requests of one call's that may wait for the caller at once. */
    static final int MAX_ASKS = 4;

    /** Those requests, so that they are forgotten when the call ends. */
    private final java.util.Set<Runnable> asks = java.util.concurrent.ConcurrentHashMap.newKeySet();

    PendingCall(
            RelayedCalls calls,
            Caller caller,
            ProviderLink provider,
            long id,
            RelayedCalls.Request request,
            RelayedCalls.Answer answer) {
        this.calls = calls;
        this.caller = caller;
        this.provider = provider;
        this.id = id;
        this.request = request;
        this.answer = answer;
    }

    Caller caller() {
        return caller;
    }

    ProviderLink provider() {
        return provider;
    }

    long id() {
        return id;
    }

    CompletableFuture<JsonNode> result() {
        return result;
    }

    /** (Re)starts the timeout. */
    synchronized void arm() {
        if (done.get() || asking > 0) {
            return;
        }
        Future<?> old = timer;
        if (old != null) {
            old.cancel(false);
        }
        timer = calls.timeouts().schedule(this::expire, request.timeoutMs());
    }

    /** The provider's reply, or the failure of its future. */
    void replied(PeerRequests.Reply reply, Throwable error) {
        if (error != null) {
            finish(
                    null,
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error,
                    false);
            return;
        }
        JsonNode value;
        try {
            value = answer.apply(reply);
        } catch (RuntimeException e) {
            finish(null, e, true);
            return;
        }
        finish(value, null, true);
    }

    /** A log message ({@code notifications/message}) of the provider's while this call waits: the caller hears it. */
    void message(JsonNode params) {
        if (done.get()) {
            return;
        }
        ObjectNode out = params != null && params.isObject()
                ? ((ObjectNode) params).deepCopy()
                : dev.agentwire.protocol.Json.mapper().createObjectNode();
        caller.requestId().ifPresent(id -> {
            ObjectNode meta = out.withObject("/_meta");
            if (id instanceof dev.agentwire.protocol.Id.Num n) {
                meta.put(RelayedCalls.RELATED_REQUEST, n.value());
            } else if (id instanceof dev.agentwire.protocol.Id.Str s) {
                meta.put(RelayedCalls.RELATED_REQUEST, s.value());
            }
        });
        caller.outbound().send(new Message.Notification("notifications/message", out));
    }

    /** A request of the provider's for the caller (see {@link RelayedCalls#ask}). */
    CompletableFuture<JsonNode> ask(String method, String capability, ObjectNode params, long answerWithinMs) {
        if (done.get()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "no_such_call", method + ": the call has ended");
        }
        Connection to = caller.local()
                .orElseThrow(() -> HubException.of(
                        ErrorCode.METHOD_NOT_FOUND,
                        "caller_elsewhere",
                        method + " reaches only a caller on the provider's hub; this call's caller is on another"));
        JsonNode declared = to.get(Caller.MCP_CAPABILITIES);
        if (declared == null || !declared.has(capability)) {
            throw HubException.of(
                    ErrorCode.METHOD_NOT_FOUND,
                    "caller_lacks_" + capability,
                    "the caller did not declare the " + capability + " capability, so it cannot answer " + method);
        }
        caller.requestId().ifPresent(id -> {
            ObjectNode meta = params.withObject("/_meta");
            if (id instanceof dev.agentwire.protocol.Id.Num n) {
                meta.put(RelayedCalls.RELATED_REQUEST, n.value());
            } else if (id instanceof dev.agentwire.protocol.Id.Str s) {
                meta.put(RelayedCalls.RELATED_REQUEST, s.value());
            }
        });
        synchronized (this) {
            if (asking >= MAX_ASKS) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "too_many_asks",
                        method + ": " + MAX_ASKS + " requests of this call's are already waiting for the caller");
            }
            asking++;
            Future<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }
        PeerRequests.Outgoing out = to.requests().send(method, params);
        long within = Math.max(answerWithinMs, request.timeoutMs());
        Future<?> deadline = calls.timeouts()
                .schedule(
                        () -> {
                            to.requests().forget(out.id());
                            out.reply()
                                    .completeExceptionally(HubException.of(
                                            ErrorCode.TIMEOUT,
                                            "timeout",
                                            method + " to the caller timed out after " + within + " ms"));
                        },
                        within);
        Runnable forget = () -> {
            to.requests().forget(out.id());
            out.reply()
                    .completeExceptionally(HubException.of(
                            ErrorCode.CANCELLED, "cancelled", method + ": the call it belonged to has ended"));
        };
        asks.add(forget);
        if (done.get()) {
            forget.run(); // the call ended meanwhile
        }
        return out.reply().handle((reply, error) -> {
            asks.remove(forget);
            deadline.cancel(false);
            synchronized (this) {
                asking--;
            }
            arm();
            if (error != null) {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof HubException h && h.code() == ErrorCode.PROVIDER_GONE) {
                    throw HubException.of(
                            ErrorCode.CANCELLED,
                            "caller_gone",
                            method + ": the caller disconnected before it answered");
                }
                throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
            }
            if (reply.message() instanceof Message.ErrorResponse e) {
                throw HubException.relayed(e.error());
            }
            return ((Message.Response) reply.message()).result();
        });
    }

    void progress(JsonNode params) {
        if (done.get()) {
            return;
        }
        arm();
        caller.progressToken().ifPresent(token -> {
            ObjectNode out = ((ObjectNode) params).deepCopy();
            out.set("progressToken", token);
            caller.outbound().send(new Message.Notification("notifications/progress", out));
        });
    }

    void cancel(String reason) {
        if (finish(
                null,
                HubException.of(
                        ErrorCode.CANCELLED, "cancelled", request.label().what() + " cancelled: " + reason),
                false)) {
            provider.cancel(id, reason);
        }
    }

    void callerGone() {
        if (finish(null, HubException.of(ErrorCode.CANCELLED, "caller_gone", "the caller disconnected"), false)) {
            provider.cancel(id, "the caller disconnected");
        }
    }

    private void expire() {
        RelayedCalls.Label label = request.label();
        ObjectNode data = HubException.reasonData("timeout");
        data.put("timeoutMs", request.timeoutMs());
        data.setAll(label.detail());
        // Counted while this call is still among them.
        HubException timedOut = HubException.withData(
                ErrorCode.TIMEOUT,
                label.what() + " timed out after " + request.timeoutMs() + " ms ("
                        + label.waitedOn().apply(calls.pending()) + ")",
                data);
        if (finish(null, timedOut, false)) {
            provider.cancel(id, "timeout");
        }
    }

    /** Ends the call; whether this was its end (not a later, losing one). */
    private boolean finish(JsonNode value, Throwable error, boolean answered) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        Future<?> t;
        synchronized (this) {
            t = timer;
        }
        if (t != null) {
            t.cancel(false);
        }
        calls.remove(this);
        asks.forEach(Runnable::run);
        answer.finished(answered);
        if (error == null) {
            result.complete(value);
        } else {
            result.completeExceptionally(error);
        }
        return true;
    }
}
