package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.relay.CancelNotice;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The {@code terminals/wait} calls in progress, by caller: starts each (pattern compiled, timer set, then the
 * terminal's waits take it), ends one when its caller sends {@code notifications/cancelled} for it, and all of a
 * caller's when its connection closes. Thread safe.
 */
final class WaitCalls {

    private record Key(long connection, Id request) {}

    private final ScheduledExecutorService timers;
    private final LongSupplier nanoTime;
    private final Map<Key, TerminalWait> byCaller = new ConcurrentHashMap<>();

    WaitCalls(ScheduledExecutorService timers, LongSupplier nanoTime) {
        this.timers = timers;
        this.nanoTime = nanoTime;
    }

    /**
     * Starts a wait for {@code regex} on {@code session}; its answer. Returns at once.
     *
     * @throws HubException {@code -32602} for a pattern RE2 does not take or a bad timeout, {@code -32008} past
     *     the terminal's cap
     */
    CompletableFuture<JsonNode> start(
            TerminalSession session, String regex, long timeoutMs, Connection caller, Optional<Id> requestId) {
        WaitPattern pattern = WaitPattern.compile(regex);
        if (timeoutMs <= 0) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "timeoutMs must be positive, got " + timeoutMs);
        }
        TerminalWait wait = new TerminalWait(
                session.id,
                pattern,
                timeoutMs,
                nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs),
                caller,
                requestId);
        // The timer first: whatever the matching does, the answer comes by the deadline.
        ScheduledFuture<?> timer =
                timers.schedule(() -> wait.fail(TerminalWaits.timedOut(wait)), timeoutMs, TimeUnit.MILLISECONDS);
        Optional<Key> key = requestId.map(r -> new Key(caller.id(), r));
        key.ifPresent(k -> byCaller.put(k, wait));
        wait.result().whenComplete((r, e) -> {
            timer.cancel(false);
            key.ifPresent(k -> byCaller.remove(k, wait));
        });
        try {
            session.addWait(wait);
        } catch (HubException e) {
            wait.fail(e);
            throw e;
        }
        return wait.result();
    }

    /**
     * {@code notifications/cancelled {requestId, reason?}} from {@code caller}: ends its wait of that id with
     * {@code -32009}. Whether the id named one of its waits.
     */
    boolean cancelled(Connection caller, JsonNode params) {
        Optional<CancelNotice> notice = CancelNotice.parse(params);
        TerminalWait wait = notice.map(n -> byCaller.get(new Key(caller.id(), n.requestId())))
                .orElse(null);
        if (wait == null) {
            return false;
        }
        wait.fail(HubException.of(
                ErrorCode.CANCELLED,
                "cancelled",
                "terminals/wait for " + wait.pattern.source() + " cancelled: "
                        + notice.get().reason()));
        return true;
    }

    /** {@code caller}'s connection closed: its waits end. */
    void callerGone(Connection caller) {
        for (TerminalWait w : byCaller.values()) {
            if (w.caller == caller) {
                w.fail(HubException.of(ErrorCode.CANCELLED, "caller_gone", "the caller disconnected"));
            }
        }
    }
}
