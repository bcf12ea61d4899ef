package dev.agentwire.core.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.relay.Caller;
import dev.agentwire.core.relay.LocalProvider;
import dev.agentwire.core.relay.ProviderLink;
import dev.agentwire.core.relay.RelayEndpoint;
import dev.agentwire.core.relay.RelayedCalls;
import dev.agentwire.core.relay.Timeouts;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Relays tool calls between callers and providers through {@link RelayedCalls}: each call goes to the provider
 * under the hub's own id, which is also the provider's progress token, and its answer becomes a
 * {@code CallToolResult} of at most {@code maxResultBytes}. Thread safe.
 */
public final class ToolRelay implements RelayEndpoint {

    private final RelayedCalls calls;
    /** The calls in flight (with an id to cancel them by) of each session, so that they end with it. */
    private final java.util.Map<String, java.util.Set<InSession>> bySession =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final Duration defaultTimeout;

    /** A caller's call: its connection and its request id. */
    private record InSession(long connection, dev.agentwire.protocol.Id id) {}

    private final int maxResultBytes;

    public ToolRelay(ScheduledExecutorService timers, Duration defaultTimeout, int maxResultBytes) {
        this.calls = new RelayedCalls(Timeouts.on(timers));
        this.defaultTimeout = defaultTimeout;
        this.maxResultBytes = maxResultBytes;
    }

    /**
     * {@code tools/call} in {@code session}: validates, relays, and completes with the {@code CallToolResult}; ends
     * with {@code -32009} if the session ends first ({@link #sessionEnded}).
     */
    public CompletableFuture<JsonNode> call(
            Call call, String session, ToolTable.Entry entry, JsonNode arguments, Optional<Long> timeoutMs) {
        if (call.id().isEmpty()) {
            return call(call, entry, arguments, timeoutMs);
        }
        // In the table before the provider hears of it: the session may end the moment it is sent.
        InSession key = new InSession(call.connection().id(), call.id().get());
        bySession
                .computeIfAbsent(session, s -> java.util.concurrent.ConcurrentHashMap.newKeySet())
                .add(key);
        CompletableFuture<JsonNode> answer;
        try {
            answer = call(call, entry, arguments, timeoutMs);
        } catch (RuntimeException e) {
            forget(session, key);
            throw e;
        }
        answer.whenComplete((r, e) -> forget(session, key));
        return answer;
    }

    private void forget(String session, InSession key) {
        bySession.computeIfPresent(session, (s, keys) -> {
            keys.remove(key);
            return keys.isEmpty() ? null : keys;
        });
    }

    /** The session ended: its calls in flight end as if their callers cancelled them, and the providers are told. */
    public void sessionEnded(String session, String reason) {
        java.util.Set<InSession> keys = bySession.remove(session);
        if (keys == null) {
            return;
        }
        for (InSession key : keys) {
            ObjectNode notice = Json.mapper().createObjectNode();
            if (key.id() instanceof dev.agentwire.protocol.Id.Num n) {
                notice.put("requestId", n.value());
            } else if (key.id() instanceof dev.agentwire.protocol.Id.Str str) {
                notice.put("requestId", str.value());
            }
            notice.put("reason", "the session " + session + " ended (" + reason + ")");
            calls.cancelled(key.connection(), notice);
        }
    }

    private CompletableFuture<JsonNode> call(
            Call call, ToolTable.Entry entry, JsonNode arguments, Optional<Long> timeoutMs) {
        entry.tool().validate(arguments);
        Optional<JsonNode> token = Optional.ofNullable(
                        call.params().path("_meta").get("progressToken"))
                .filter(t -> t.isTextual() || t.isIntegralNumber());
        long timeout = RelayedCalls.checkTimeout(timeoutMs.orElse(defaultTimeout.toMillis()));
        String tool = entry.tool().name();
        ProviderLink provider = entry.provider();
        ObjectNode detail = Json.mapper().createObjectNode().put("tool", tool);
        return calls.start(
                Caller.of(call.connection(), call.id(), token),
                provider,
                new RelayedCalls.Request(
                        "tools/call",
                        hubId -> {
                            ObjectNode params = Json.mapper().createObjectNode();
                            params.put("name", tool);
                            params.set("arguments", arguments);
                            params.putObject("_meta").put("progressToken", hubId);
                            return params;
                        },
                        timeout,
                        new RelayedCalls.Label(
                                "tools/call " + tool,
                                detail,
                                pending -> "provider " + provider + ", pending=" + pending)),
                reply -> result(tool, reply));
    }

    /** The provider's reply as a {@code CallToolResult}, unless it is too large. */
    private JsonNode result(String tool, PeerRequests.Reply reply) {
        if (reply.sizeBytes() > maxResultBytes) {
            var data = HubException.reasonData("result_too_large");
            data.put("limit", maxResultBytes);
            data.put("length", reply.sizeBytes());
            throw HubException.withData(
                    ErrorCode.TOO_LARGE,
                    "the result of " + tool + " is " + reply.sizeBytes() + " bytes, over the limit of " + maxResultBytes
                            + " (tools.maxResultBytes)",
                    data);
        }
        return CallToolResults.from(reply.message());
    }

    /** {@code notifications/progress} from a provider: relayed to the caller, and the timeout starts again. */
    public boolean message(Connection provider, JsonNode params) {
        return calls.message(new LocalProvider(provider), params);
    }

    /**
     * A provider's request for the caller of one of its tool calls ({@code sampling/createMessage} and the
     * like; see {@link RelayedCalls#ask}): the caller has at least {@code tools.callTimeoutMs} to answer.
     */
    public CompletableFuture<JsonNode> ask(Connection provider, String method, String capability, JsonNode params) {
        return calls.ask(new LocalProvider(provider), method, capability, params, defaultTimeout.toMillis());
    }

    public boolean progress(Connection provider, JsonNode params) {
        return calls.progress(new LocalProvider(provider), params);
    }

    @Override
    public void progress(ProviderLink provider, JsonNode params) {
        calls.progress(provider, params);
    }

    @Override
    public CompletableFuture<JsonNode> relayIn(Caller caller, Connection provider, JsonNode params, long timeoutMs) {
        String tool = params.path("name").asText();
        ObjectNode detail = Json.mapper().createObjectNode().put("tool", tool);
        return calls.start(
                caller,
                new LocalProvider(provider),
                new RelayedCalls.Request(
                        "tools/call",
                        hubId -> {
                            ObjectNode p = params.deepCopy();
                            p.withObject("/_meta").put("progressToken", hubId);
                            return p;
                        },
                        RelayedCalls.checkTimeout(timeoutMs),
                        new RelayedCalls.Label(
                                "tools/call " + tool,
                                detail,
                                pending -> "provider " + provider + ", pending=" + pending)),
                RelayEndpoint::raw);
    }

    @Override
    public boolean cancelled(long caller, JsonNode params) {
        return calls.cancelled(caller, params);
    }

    @Override
    public void callerGone(long caller) {
        calls.callerGone(caller);
    }

    /**
     * {@code notifications/cancelled} from a caller: relayed to the provider; the caller gets {@code -32009}.
     * Whether it named one of its tool calls.
     */
    public boolean cancelled(Connection caller, JsonNode params) {
        return calls.cancelled(caller.id(), params);
    }

    /** A caller went away: its calls are cancelled at their providers. */
    public void callerGone(Connection caller) {
        calls.callerGone(caller.id());
    }

    /** Calls in flight. */
    public int pending() {
        return calls.pending();
    }
}
