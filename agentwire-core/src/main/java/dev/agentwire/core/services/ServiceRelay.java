package dev.agentwire.core.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.Ticker;
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
 * Relays service requests: each goes to one instance as {@code services/handle {action, data, from}} under the
 * hub's own id, and the answer, the instance's error, a timeout ({@code -32001}), the instance going away
 * ({@code -32003}) or the caller's cancellation ({@code -32009}, relayed to the instance) comes back. Thread safe.
 */
public final class ServiceRelay {

    private final ServiceRegistry registry;
    private final ScheduledExecutorService timers;
    private final Ticker ticker;
    private final Duration defaultTimeout;
    private final Map<String, Pending> byCaller = new ConcurrentHashMap<>();

    public ServiceRelay(
            ServiceRegistry registry, ScheduledExecutorService timers, Ticker ticker, Duration defaultTimeout) {
        this.registry = registry;
        this.timers = timers;
        this.ticker = ticker;
        this.defaultTimeout = defaultTimeout;
    }

    /** What a caller asks: the service, the action and its data, and optionally a timeout and a group. */
    public record Ask(String service, String action, JsonNode data, Optional<Long> timeoutMs, Optional<String> group) {}

    /** One request on its way. */
    private final class Pending {
        final Connection caller;
        final Id callerId;
        final Instance instance;
        final ServiceRegistry.Service service;
        final long hubId;
        final String action;
        final long timeoutMs;
        final long startedNanos = ticker.nanoTime();
        final CompletableFuture<JsonNode> result = new CompletableFuture<>();
        final AtomicBoolean done = new AtomicBoolean();
        volatile ScheduledFuture<?> timer;

        Pending(
                Connection caller,
                Id callerId,
                Instance instance,
                ServiceRegistry.Service service,
                long hubId,
                String action,
                long timeoutMs) {
            this.caller = caller;
            this.callerId = callerId;
            this.instance = instance;
            this.service = service;
            this.hubId = hubId;
            this.action = action;
            this.timeoutMs = timeoutMs;
        }

        void finish(JsonNode value, Throwable error, boolean answered) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
            if (callerId != null) {
                byCaller.remove(callerKey(caller, callerId));
            }
            instance.finished(answered);
            if (answered) {
                service.stats().handled(ticker.nanoTime() - startedNanos);
            } else {
                service.stats().failed();
            }
            if (error == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(error);
            }
        }

        void expire() {
            var data = HubException.reasonData("timeout");
            data.put("timeoutMs", timeoutMs);
            data.put("service", service.name());
            data.put("action", action);
            finish(
                    null,
                    HubException.withData(
                            ErrorCode.TIMEOUT,
                            "services/request " + service.name() + "/" + action + " timed out after " + timeoutMs
                                    + " ms (instance " + instance.connection() + ")",
                            data),
                    false);
            cancelAtInstance("timeout");
        }

        void cancelAtInstance(String reason) {
            instance.connection().requests().forget(hubId);
            ObjectNode p = Json.mapper().createObjectNode();
            p.put("requestId", hubId);
            p.put("reason", reason);
            instance.connection().outbound().send(new Message.Notification("notifications/cancelled", p));
        }
    }

    /**
     * Sends {@code ask} to one instance. {@code callerId} (null for a notification or an HTTP caller) lets the
     * caller cancel it with {@code notifications/cancelled}.
     */
    public CompletableFuture<JsonNode> request(Connection caller, Id callerId, Ask ask, String callerInterface) {
        // A known service's name was checked when it registered; only an unknown one needs the pattern.
        String name = registry.find(ask.service() == null ? "" : ask.service()).isPresent()
                ? ask.service()
                : ServiceRegistry.checkName(ask.service());
        if (ask.action() == null || ask.action().isEmpty()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "services/request needs an \"action\"");
        }
        long timeout = ask.timeoutMs().orElse(defaultTimeout.toMillis());
        if (timeout <= 0) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "timeoutMs must be positive, got " + timeout);
        }
        ServiceRegistry.Service service = registry.find(name).orElseThrow(() -> noResponders(name, ask.group()));
        Instance instance = service.pick(ask.group()).orElseThrow(() -> noResponders(name, ask.group()));
        instance.started();
        PeerRequests requests = instance.connection().requests();
        PeerRequests.Outgoing out = requests.reserve();
        Pending p = new Pending(caller, callerId, instance, service, out.id(), ask.action(), timeout);
        if (callerId != null) {
            byCaller.put(callerKey(caller, callerId), p);
        }
        p.timer = timers.schedule(p::expire, timeout, TimeUnit.MILLISECONDS);
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("service", name);
        params.put("action", ask.action());
        params.set("data", ask.data() == null ? Json.mapper().nullNode() : ask.data());
        ObjectNode from = params.putObject("from");
        from.put("identity", caller.identity());
        from.put("name", caller.name());
        from.put("connectionId", caller.id());
        from.put("interface", callerInterface);
        requests.send(out, "services/handle", params);
        out.reply().whenComplete((reply, error) -> {
            if (error != null) {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                p.finish(null, cause, false);
            } else if (reply.message() instanceof Message.Response r) {
                p.finish(r.result(), null, true);
            } else {
                p.finish(null, HubException.relayed(((Message.ErrorResponse) reply.message()).error()), true);
            }
        });
        return p.result;
    }

    private static HubException noResponders(String name, Optional<String> group) {
        var data = HubException.reasonData("no_responders");
        data.put("service", name);
        group.ifPresent(g -> data.put("group", g));
        return HubException.withData(
                ErrorCode.NO_PROVIDER,
                "no live instance of service " + name
                        + group.map(g -> " in group " + g).orElse(""),
                data);
    }

    /** {@code notifications/cancelled} from a caller; whether it named one of its service requests. */
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
                HubException.of(
                        ErrorCode.CANCELLED,
                        "cancelled",
                        "services/request " + p.service.name() + "/" + p.action + " cancelled: " + reason),
                false);
        p.cancelAtInstance(reason);
        return true;
    }

    /** A caller went away: its requests are cancelled at their instances. */
    public void callerGone(Connection caller) {
        for (Pending p : byCaller.values()) {
            if (p.caller == caller && !p.done.get()) {
                p.finish(null, HubException.of(ErrorCode.CANCELLED, "caller_gone", "the caller disconnected"), false);
                p.cancelAtInstance("the caller disconnected");
            }
        }
    }

    public ServiceRegistry registry() {
        return registry;
    }

    private static String callerKey(Connection caller, Id id) {
        return caller.id() + "/" + id;
    }
}
