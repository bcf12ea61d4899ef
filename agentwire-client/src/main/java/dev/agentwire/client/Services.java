package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.RpcError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * The client's services: serve a named service ({@link #serve}, registered again after every reconnect) and
 * send requests to one ({@link #request}) through a circuit breaker per service. Thread safe.
 */
public final class Services {

    /** Hub errors that count against a service's circuit breaker. */
    private static final Set<Integer> FAILURES = Set.of(
            ErrorCode.TIMEOUT.code(),
            ErrorCode.NO_PROVIDER.code(),
            ErrorCode.PROVIDER_GONE.code(),
            ErrorCode.OVERLOADED.code());

    private final AgentwireClient client;
    private final int failureThreshold;
    private final Duration openFor;
    private final Map<String, Served> served = new ConcurrentHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

    private record Served(String name, String group, String version, ServiceHandler handler) {}

    Services(AgentwireClient client, int failureThreshold, Duration openFor) {
        this.client = client;
        this.failureThreshold = failureThreshold;
        this.openFor = openFor;
        client.onRequest("services/handle", this::handle);
        client.onReconnect(c -> CompletableFuture.allOf(
                        served.values().stream().map(this::send).toArray(CompletableFuture[]::new))
                .thenApply(x -> null));
    }

    /** Serves {@code name}: this client becomes one of its instances. Completes with the hub's answer. */
    public CompletableFuture<JsonNode> serve(String name, ServiceHandler handler) {
        return serve(name, null, null, handler);
    }

    /** The same, with a group and a version shown in {@code services/list}. */
    public CompletableFuture<JsonNode> serve(String name, String group, String version, ServiceHandler handler) {
        Served s = new Served(name, group, version, handler);
        served.put(name, s);
        return send(s).whenComplete((r, e) -> {
            if (e != null) {
                served.remove(name, s);
            }
        });
    }

    /** Stops serving {@code name}. */
    public CompletableFuture<JsonNode> stop(String name) {
        served.remove(name);
        return client.request(
                "services/unregister", Json.mapper().createObjectNode().put("name", name));
    }

    /** Asks {@code service} to do {@code action}; completes with the data it answered. */
    public CompletableFuture<JsonNode> request(String service, String action, JsonNode data) {
        return request(service, action, data, Duration.ofSeconds(30));
    }

    /**
     * The same with a timeout (the hub's; this client waits a little longer). Fails at once with
     * {@link CircuitOpenException} while the service's breaker is open.
     */
    public CompletableFuture<JsonNode> request(String service, String action, JsonNode data, Duration timeout) {
        CircuitBreaker breaker = breaker(service);
        try {
            breaker.acquire();
        } catch (CircuitOpenException e) {
            return CompletableFuture.failedFuture(e);
        }
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("service", service);
        params.put("action", action);
        params.set("data", data == null ? Json.mapper().nullNode() : data);
        params.put("timeoutMs", timeout.toMillis());
        return client.request("services/request", params, timeout.plusSeconds(5))
                .whenComplete((r, e) -> {
                    if (e == null) {
                        breaker.success();
                    } else if (countsAsFailure(e)) {
                        breaker.failure();
                    } else {
                        breaker.neutral();
                    }
                });
    }

    /** {@code services/list}. */
    public CompletableFuture<JsonNode> list() {
        return client.request("services/list");
    }

    /** The circuit breaker of {@code service}. */
    public CircuitBreaker breaker(String service) {
        return breakers.computeIfAbsent(
                service, s -> new CircuitBreaker(s, failureThreshold, openFor, System::nanoTime));
    }

    /** The services this client serves. */
    public List<String> serving() {
        return List.copyOf(served.keySet());
    }

    private static boolean countsAsFailure(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RpcException rpc) {
            return FAILURES.contains(rpc.code());
        }
        return cause instanceof ConnectionLostException
                || cause instanceof HubUnavailableException
                || cause instanceof TimeoutException;
    }

    private CompletableFuture<JsonNode> send(Served s) {
        ObjectNode params = Json.mapper().createObjectNode().put("name", s.name());
        if (s.group() != null) {
            params.put("group", s.group());
        }
        if (s.version() != null) {
            params.put("version", s.version());
        }
        return client.request("services/register", params);
    }

    private CompletableFuture<JsonNode> handle(JsonNode params, RequestContext context) {
        String name = params.path("service").asText();
        Served s = served.get(name);
        if (s == null) {
            return CompletableFuture.failedFuture(new RpcException(
                    RpcError.of(ErrorCode.NO_PROVIDER, "this client does not serve " + name, "not_serving")));
        }
        return s.handler()
                .handle(
                        new ServiceRequest(
                                name, params.path("action").asText(), params.path("data"), params.path("from")),
                        context)
                .toCompletableFuture();
    }
}
