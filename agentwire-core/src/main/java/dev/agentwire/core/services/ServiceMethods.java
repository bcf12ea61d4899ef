package dev.agentwire.core.services;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.core.rpc.Access;
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
        methods.register("services/register", Access.scope("services:provide"), m::registerInstance);
        methods.register("services/unregister", Access.scope("services:provide"), m::unregisterInstance);
        // Inline: picking an instance and writing to it never blocks.
        methods.register(Method.inline("services/request", Access.scope("services:request"), m::request));
        methods.register(
                "services/list", Access.scope("services:request"), call -> CompletableFuture.completedFuture(m.list()));
    }

    record Register(
            @JsonProperty("name") String name,
            @JsonProperty("group") String group,
            @JsonProperty("version") String version,
            @JsonProperty("description") String description,
            @JsonProperty("actions") JsonNode actions) {}

    /** The most actions one instance may declare, and the longest text of a description. */
    static final int MAX_ACTIONS = 64;

    static final int MAX_DESCRIPTION = 1024;

    private CompletionStage<JsonNode> registerInstance(Call call) {
        Register r = call.params(Register.class);
        Instance i = relay.registry().register(call.connection(), r.name(), r.group(), r.version(), about(r));
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

    private CompletionStage<JsonNode> request(Call call) {
        // Read field by field rather than through a record: this is the hot path of every service call.
        JsonNode p = call.params();
        if (!p.isObject()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "services/request takes its params as an object");
        }
        String service = text(p, "service");
        if (service == null) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "services/request needs \"service\"");
        }
        JsonNode timeout = p.get("timeoutMs");
        if (timeout != null && !timeout.isNull() && !timeout.canConvertToExactIntegral()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "timeoutMs must be a whole number, got " + timeout);
        }
        Id id = call.isRequest() ? call.id().orElse(null) : null;
        String via = text(p, "interface");
        return relay.request(
                call.connection(),
                id,
                new ServiceRelay.Ask(
                        service,
                        text(p, "action"),
                        p.get("data"),
                        timeout == null || timeout.isNull() ? Optional.empty() : Optional.of(timeout.asLong()),
                        Optional.ofNullable(text(p, "group")),
                        Optional.ofNullable(p.path("_meta").get("progressToken"))
                                .filter(t -> t.isTextual() || t.isIntegralNumber())),
                via != null ? via : call.connection().peer().transport().label());
    }

    /** A string field, or null when absent; anything else than a string is refused. */
    private static String text(JsonNode params, String field) {
        JsonNode v = params.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "services/request: " + field + " must be a string, got " + v);
        }
        return v.textValue();
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

    /** {@code description} and {@code actions} ({@code [{name, description?}]} or names) as given, checked. */
    private static ObjectNode about(Register r) {
        ObjectNode about = Json.mapper().createObjectNode();
        if (r.description() != null) {
            if (r.description().length() > MAX_DESCRIPTION) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_params",
                        "description is longer than " + MAX_DESCRIPTION + " characters");
            }
            about.put("description", r.description());
        }
        if (r.actions() != null && !r.actions().isNull()) {
            if (!r.actions().isArray() || r.actions().size() > MAX_ACTIONS) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_params",
                        "actions is a list of at most " + MAX_ACTIONS + " {name, description?} (or names)");
            }
            var list = about.putArray("actions");
            for (JsonNode a : r.actions()) {
                JsonNode name = a.isTextual() ? a : a.path("name");
                JsonNode description = a.path("description");
                if (!name.isTextual()
                        || name.asText().isEmpty()
                        || name.asText().length() > 128
                        || (!description.isMissingNode() && !description.isTextual())
                        || description.asText("").length() > MAX_DESCRIPTION) {
                    throw HubException.of(
                            ErrorCode.INVALID_PARAMS,
                            "invalid_params",
                            "each action is {name (1-128 characters), description? (at most " + MAX_DESCRIPTION
                                    + ")} or a name");
                }
                ObjectNode action = list.addObject().put("name", name.asText());
                if (description.isTextual()) {
                    action.put("description", description.asText());
                }
            }
        }
        return about;
    }

    private static ObjectNode describe(Instance i) {
        Instance.Server c = i.server();
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("service", i.service());
        o.put("connectionId", c.connectionId());
        o.put("name", c.name());
        o.put("identity", c.identity());
        o.put("transport", c.transport());
        o.put("group", i.group());
        o.put("version", i.version());
        o.put("pending", i.pending());
        o.put("handled", i.handled());
        o.setAll(i.about());
        return o;
    }
}
