package dev.agentwire.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.relay.Caller;
import dev.agentwire.core.relay.LocalProvider;
import dev.agentwire.core.relay.RelayedCalls;
import dev.agentwire.core.relay.Timeouts;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Relays {@code prompts/get}, {@code resources/read} and {@code completion/complete} to the provider of the entry
 * they name, through {@link RelayedCalls}: the same timeouts, cancellation and progress as a tool call. The
 * provider's result comes back as it sent it, if it is not too large. Thread safe.
 */
final class CatalogRelay {

    private final RelayedCalls calls;
    private final Duration timeout;
    private final int maxResultBytes;

    CatalogRelay(ScheduledExecutorService timers, Duration timeout, int maxResultBytes) {
        this.calls = new RelayedCalls(Timeouts.on(timers));
        this.timeout = timeout;
        this.maxResultBytes = maxResultBytes;
    }

    /** Sends {@code method(params)} to {@code entry}'s provider for {@code call}'s caller; the provider's result. */
    CompletableFuture<JsonNode> relay(Call call, CatalogEntry entry, String method, ObjectNode params) {
        Optional<JsonNode> token = Optional.ofNullable(
                        call.params().path("_meta").get("progressToken"))
                .filter(t -> t.isTextual() || t.isIntegralNumber());
        String what = method + " " + entry.key();
        ObjectNode detail = Json.mapper().createObjectNode().put(entry.kind().keyName(), entry.key());
        return calls.start(
                Caller.of(call.connection(), call.id(), token),
                new LocalProvider(entry.provider()),
                new RelayedCalls.Request(
                        method,
                        hubId -> {
                            ObjectNode p = params.deepCopy();
                            p.withObject("/_meta").put("progressToken", hubId);
                            return p;
                        },
                        timeout.toMillis(),
                        new RelayedCalls.Label(
                                what, detail, pending -> "provider " + entry.provider() + ", pending=" + pending)),
                reply -> result(what, reply));
    }

    private JsonNode result(String what, PeerRequests.Reply reply) {
        if (reply.sizeBytes() > maxResultBytes) {
            var data = HubException.reasonData("result_too_large");
            data.put("limit", maxResultBytes);
            data.put("length", reply.sizeBytes());
            throw HubException.withData(
                    ErrorCode.TOO_LARGE,
                    "the result of " + what + " is " + reply.sizeBytes() + " bytes, over the limit of " + maxResultBytes
                            + " (tools.maxResultBytes)",
                    data);
        }
        if (reply.message() instanceof Message.ErrorResponse e) {
            throw HubException.relayed(e.error());
        }
        JsonNode result = ((Message.Response) reply.message()).result();
        if (result == null || !(result.isObject() || result instanceof dev.agentwire.protocol.RawJson)) {
            throw HubException.of(
                    ErrorCode.INTERNAL_ERROR, "bad_result", what + ": the provider's result is not an object");
        }
        return result;
    }

    boolean progress(Connection provider, JsonNode params) {
        return calls.progress(new LocalProvider(provider), params);
    }

    boolean cancelled(Connection caller, JsonNode params) {
        return calls.cancelled(caller.id(), params);
    }

    void callerGone(Connection caller) {
        calls.callerGone(caller.id());
    }
}
