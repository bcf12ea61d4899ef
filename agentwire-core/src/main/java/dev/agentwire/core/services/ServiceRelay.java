package dev.agentwire.core.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.relay.Caller;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.LocalProvider;
import dev.agentwire.core.relay.ProviderLink;
import dev.agentwire.core.relay.RelayEndpoint;
import dev.agentwire.core.relay.RelayedCalls;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Relays service requests through {@link RelayedCalls}: each goes to one instance as
 * {@code services/handle {action, data, from}} under the hub's own id, and the answer, the instance's error, a
 * timeout ({@code -32001}), the instance going away ({@code -32003}) or the caller's cancellation
 * ({@code -32009}, relayed to the instance) comes back. Thread safe.
 */
public final class ServiceRelay implements RelayEndpoint {

    /** How late a request's timeout may fire: its sweep's period. */
    private static final Duration TIMEOUT_TICK = Duration.ofMillis(10);

    private final ServiceRegistry registry;
    private final RelayedCalls calls;
    private final Ticker ticker;
    private final Duration defaultTimeout;

    public ServiceRelay(
            ServiceRegistry registry, ScheduledExecutorService timers, Ticker ticker, Duration defaultTimeout) {
        this.registry = registry;
        // On the system clock, as the timer thread it replaces: a hub's injected ticker only times the statistics.
        this.calls = new RelayedCalls(new SweptTimeouts(timers, Ticker.SYSTEM, TIMEOUT_TICK));
        this.ticker = ticker;
        this.defaultTimeout = defaultTimeout;
    }

    /**
     * What a caller asks: the service, the action and its data, and optionally a timeout, a group, and the caller's
     * {@code _meta.progressToken} (then the instance's {@code notifications/progress} reach the caller with it).
     */
    public record Ask(
            String service,
            String action,
            JsonNode data,
            Optional<Long> timeoutMs,
            Optional<String> group,
            Optional<JsonNode> progressToken) {}

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
        long timeout = RelayedCalls.checkTimeout(ask.timeoutMs().orElse(defaultTimeout.toMillis()));
        ServiceRegistry.Service service = registry.find(name).orElseThrow(() -> noResponders(name, ask.group()));
        CompletableFuture<Directory.Entry<Instance>> picked =
                service.pick(ask.group()).orElseThrow(() -> noResponders(name, ask.group()));
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("service", name);
        params.put("action", ask.action());
        params.set("data", ask.data() == null ? Json.mapper().nullNode() : ask.data());
        ObjectNode from = params.putObject("from");
        from.put("identity", caller.identity());
        from.put("name", caller.name());
        from.put("connectionId", caller.id());
        from.put("interface", callerInterface);
        ObjectNode detail =
                Json.mapper().createObjectNode().put("service", name).put("action", ask.action());
        Caller asker = Caller.of(caller, Optional.ofNullable(callerId), ask.progressToken());
        String what = "services/request " + name + "/" + ask.action();
        // A hub alone has picked already (the future is done) and goes on at once, without a stage in between; a
        // cluster goes on when Redis answers.
        if (picked.isDone() && !picked.isCompletedExceptionally()) {
            try {
                return send(asker, service, picked.join(), params, timeout, what, detail);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e); // as the stage below would have failed
            }
        }
        return picked.thenCompose(entry -> send(asker, service, entry, params, timeout, what, detail));
    }

    /** Sends one request to the picked instance, counted on it until it ends. */
    private CompletableFuture<JsonNode> send(
            Caller caller,
            ServiceRegistry.Service service,
            Directory.Entry<Instance> entry,
            ObjectNode params,
            long timeout,
            String what,
            ObjectNode detail) {
        Instance instance = entry.value();
        instance.started();
        return calls.start(
                caller,
                instance.link(),
                new RelayedCalls.Request(
                        "services/handle",
                        hubId -> caller.progressToken().isEmpty() ? params : withProgress(params, hubId),
                        timeout,
                        new RelayedCalls.Label(what, detail, pending -> "instance " + instance.link())),
                new Handled(service, entry, ticker.nanoTime()));
    }

    /** An instance's reply passed on as it is, and counted in the instance's load and the service's stats. */
    private final class Handled implements RelayedCalls.Answer {
        private final ServiceRegistry.Service service;
        private final Directory.Entry<Instance> picked;
        private final long startedNanos;

        Handled(ServiceRegistry.Service service, Directory.Entry<Instance> picked, long startedNanos) {
            this.service = service;
            this.picked = picked;
            this.startedNanos = startedNanos;
        }

        @Override
        public JsonNode apply(PeerRequests.Reply reply) {
            if (reply.message() instanceof Message.Response r) {
                return r.result();
            }
            throw HubException.relayed(((Message.ErrorResponse) reply.message()).error());
        }

        @Override
        public void finished(boolean answered) {
            picked.value().finished(answered);
            service.finished(picked);
            if (answered) {
                service.stats().handled(ticker.nanoTime() - startedNanos);
            } else {
                service.stats().failed();
            }
        }
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
        return calls.cancelled(caller.id(), params);
    }

    /** A caller went away: its requests are cancelled at their instances. */
    public void callerGone(Connection caller) {
        calls.callerGone(caller.id());
    }

    public ServiceRegistry registry() {
        return registry;
    }

    @Override
    public CompletableFuture<JsonNode> relayIn(Caller caller, Connection provider, JsonNode params, long timeoutMs) {
        String name =
                params.path("service").asText() + "/" + params.path("action").asText();
        return calls.start(
                caller,
                new LocalProvider(provider),
                new RelayedCalls.Request(
                        "services/handle",
                        hubId -> params,
                        RelayedCalls.checkTimeout(timeoutMs),
                        new RelayedCalls.Label(
                                "services/request " + name,
                                Json.mapper()
                                        .createObjectNode()
                                        .put("service", params.path("service").asText()),
                                pending -> "instance " + provider)),
                RelayEndpoint::raw);
    }

    /** The instance's params with {@code _meta.progressToken}: the hub's id, which its progress must name. */
    private static ObjectNode withProgress(ObjectNode params, long hubId) {
        ObjectNode p = params.deepCopy();
        p.putObject("_meta").put("progressToken", hubId);
        return p;
    }

    /** {@code notifications/message} from an instance on this hub: relayed to the callers waiting on it. */
    public boolean messageFrom(Connection instance, JsonNode params) {
        return calls.message(new dev.agentwire.core.relay.LocalProvider(instance), params);
    }

    /** {@code notifications/progress} from an instance on this hub: whether it named one of its requests. */
    public boolean progressFrom(Connection instance, JsonNode params) {
        return calls.progress(new dev.agentwire.core.relay.LocalProvider(instance), params);
    }

    @Override
    public void progress(ProviderLink provider, JsonNode params) {
        calls.progress(provider, params);
    }

    @Override
    public boolean cancelled(long caller, JsonNode params) {
        return calls.cancelled(caller, params);
    }

    @Override
    public void callerGone(long caller) {
        calls.callerGone(caller);
    }
}
