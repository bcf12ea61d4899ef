package dev.agentwire.core.services;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.core.rooms.RoomService;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code services/register|unregister|request|list}. */
public final class ServiceMethods {

    private final ServiceRelay relay;
    private final EventBus events;

    private ServiceMethods(ServiceRelay relay, EventBus events) {
        this.relay = relay;
        this.events = events;
    }

    public static void register(MethodRegistry methods, ServiceRelay relay, EventBus events) {
        ServiceMethods m = new ServiceMethods(relay, events);
        methods.register("services/register", m::registerInstance);
        methods.register("services/unregister", m::unregisterInstance);
        // Inline: picking an instance and writing to it never blocks.
        methods.register(new Method("services/request", m::request, true, false));
        methods.register("services/list", call -> CompletableFuture.completedFuture(m.list()));
    }

    record Register(
            @JsonProperty("name") String name,
            @JsonProperty("group") String group,
            @JsonProperty("version") String version) {}

    private CompletionStage<JsonNode> registerInstance(Call call) {
        Scopes.require(call.connection(), "services:provide");
        Register r = call.params(Register.class);
        Instance i = relay.registry().register(call.connection(), r.name(), r.group(), r.version());
        events.publish("services", "registered", describe(i));
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("service", i.service());
        out.put(
                "instances",
                relay.registry().find(i.service()).orElseThrow().instances().size());
        return CompletableFuture.completedFuture(out);
    }

    private CompletionStage<JsonNode> unregisterInstance(Call call) {
        Register r = call.params(Register.class);
        ServiceRegistry.checkName(r.name());
        boolean was = relay.registry().unregister(call.connection(), r.name());
        if (was) {
            events.publish(
                    "services",
                    "unregistered",
                    Json.mapper()
                            .createObjectNode()
                            .put("service", r.name())
                            .put("connectionId", call.connection().id()));
        }
        return CompletableFuture.completedFuture(
                Json.mapper().createObjectNode().put("service", r.name()).put("unregistered", was));
    }

    record Request(
            @JsonProperty("service") String service,
            @JsonProperty("action") String action,
            @JsonProperty("data") JsonNode data,
            @JsonProperty("timeoutMs") Long timeoutMs,
            @JsonProperty("group") String group,
            @JsonProperty("interface") String callerInterface) {}

    private CompletionStage<JsonNode> request(Call call) {
        Scopes.require(call.connection(), "services:request");
        Request r = call.params(Request.class);
        if (r.service() == null) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "services/request needs \"service\"");
        }
        Id id = call.isRequest() ? call.id().orElse(null) : null;
        String via = r.callerInterface() != null
                ? r.callerInterface()
                : call.connection().peer().transport().label();
        return relay.request(
                call.connection(),
                id,
                new ServiceRelay.Ask(
                        r.service(),
                        r.action(),
                        r.data(),
                        Optional.ofNullable(r.timeoutMs()),
                        Optional.ofNullable(r.group())),
                via);
    }

    /** The {@code services/list} document. */
    public ObjectNode list() {
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode arr = out.putArray("services");
        for (ServiceRegistry.Service s : relay.registry().all()) {
            ObjectNode o = arr.addObject();
            o.put("name", s.name());
            ArrayNode instances = o.putArray("instances");
            int pending = 0;
            for (Instance i : s.instances()) {
                instances.add(describe(i));
                pending += i.pending();
            }
            o.put("pending", pending);
            o.put("handled", s.stats().handledCount());
            o.put("failed", s.stats().failedCount());
            o.put("meanMs", round(s.stats().meanMillis()));
            o.put("p99Ms", round(s.stats().p99Millis()));
        }
        return out;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    private static ObjectNode describe(Instance i) {
        Connection c = i.connection();
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("service", i.service());
        o.put("connectionId", c.id());
        o.put("name", c.name());
        o.put("identity", RoomService.identity(c));
        o.put("transport", c.peer().transport().label());
        o.put("group", i.group());
        o.put("version", i.version());
        o.put("pending", i.pending());
        o.put("handled", i.handled());
        return o;
    }
}
