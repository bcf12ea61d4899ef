package dev.agentwire.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.AttributeKey;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.core.sessions.Session;
import dev.agentwire.core.sessions.SessionManager;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The methods of prompts and resources. Providers: {@code prompts/register}, {@code prompts/unregister},
 * {@code resources/register}, {@code resources/unregister}, {@code notifications/resources/updated}. Clients (MCP's
 * own methods): {@code prompts/list}, {@code prompts/get}, {@code resources/list}, {@code resources/templates/list},
 * {@code resources/read}, {@code resources/subscribe}, {@code resources/unsubscribe}, {@code completion/complete}.
 * A connection sees its session's catalog, or, like tools over MCP without {@code ?session=}, those of every
 * session it may enter (the first session by id wins a key two of them hold).
 */
final class CatalogMethods {

    /** Subscriptions one connection may hold in one session. */
    static final int MAX_SUBSCRIPTIONS = 1000;

    private final AttributeKey<Catalog> key = new AttributeKey<>("catalog");
    private final SessionManager sessions;
    private final CatalogRelay relay;
    private final int max;
    /** Connections that see every session: they hear of a change in any. */
    private final Set<Connection> viewers = ConcurrentHashMap.newKeySet();

    CatalogMethods(SessionManager sessions, CatalogRelay relay, int max) {
        this.sessions = sessions;
        this.relay = relay;
        this.max = max;
    }

    void register(MethodRegistry registry) {
        registry.register("prompts/register", Access.scope("tools:provide"), c -> register(c, Kind.PROMPT));
        registry.register("prompts/unregister", Access.scope("tools:provide"), c -> unregister(c, Kind.PROMPT));
        registry.register("resources/register", Access.scope("tools:provide"), c -> register(c, Kind.RESOURCE));
        registry.register("resources/unregister", Access.scope("tools:provide"), c -> unregister(c, Kind.RESOURCE));
        registry.register("notifications/resources/updated", Access.scope("tools:provide"), this::updated);
        registry.register("prompts/list", Access.scope("tools:call"), c -> list(c, Kind.PROMPT));
        registry.register("resources/list", Access.scope("tools:call"), c -> list(c, Kind.RESOURCE));
        registry.register("resources/templates/list", Access.scope("tools:call"), c -> list(c, Kind.TEMPLATE));
        registry.register("prompts/get", Access.scope("tools:call"), this::getPrompt);
        registry.register("resources/read", Access.scope("tools:call"), this::read);
        registry.register("resources/subscribe", Access.scope("tools:call"), this::subscribe);
        registry.register("resources/unsubscribe", Access.scope("tools:call"), this::unsubscribe);
        registry.register("completion/complete", Access.scope("tools:call"), this::complete);
    }

    Catalog of(Session s) {
        return s.attribute(key, () -> new Catalog(max));
    }

    /**
     * The catalogs {@code c} sees, in the order a key two of them hold is served by: its own session's, the default
     * session's, those of sessions its identity owns, then the others, each group by session id. So an entry in a
     * session another identity made never hides one of the caller's own.
     */
    private List<Catalog> visible(Connection c) {
        Session own = SessionManager.sessionOf(c);
        if (!Boolean.TRUE.equals(c.get(SessionManager.ALL_SESSIONS))) {
            return List.of(of(own));
        }
        viewers.add(c);
        List<Session> all = new ArrayList<>(sessions.all());
        all.sort(Comparator.comparingInt((Session s) ->
                        s == own ? 0 : s.isDefault() ? 1 : c.subject().equals(s.owner()) ? 2 : 3)
                .thenComparing(Session::id));
        List<Catalog> out = new ArrayList<>();
        for (Session s : all) {
            if (SessionManager.mayEnter(c, s)) {
                out.add(of(s));
            }
        }
        return out;
    }

    /** Tells the members of {@code session}, and the all-sessions viewers that may enter it, that {@code kinds} changed. */
    void changed(Session session, Set<Kind> kinds) {
        Set<String> methods = new java.util.TreeSet<>();
        kinds.forEach(k -> methods.add(k.changed()));
        Set<Connection> told = new HashSet<>();
        List<Connection> to = new ArrayList<>(session.members());
        viewers.stream().filter(v -> SessionManager.mayEnter(v, session)).forEach(to::add);
        for (Connection c : to) {
            if (c.isOpen() && told.add(c)) {
                methods.forEach(m -> c.outbound().send(new Message.Notification(m, null)));
            }
        }
    }

    void forget(Connection c) {
        viewers.remove(c);
        for (Session s : sessions.all()) {
            of(s).unsubscribeAll(c);
        }
    }

    private CompletionStage<JsonNode> register(Call call, Kind kind) {
        JsonNode params = call.params();
        List<Kind> kinds = kind == Kind.PROMPT ? List.of(Kind.PROMPT) : List.of(Kind.RESOURCE, Kind.TEMPLATE);
        Map<Kind, List<CatalogEntry>> parsed = new LinkedHashMap<>();
        int total = 0;
        for (Kind k : kinds) {
            JsonNode list = params.get(k.listName());
            if (list == null) {
                continue;
            }
            if (!list.isArray()) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS, "invalid_params", "\"" + k.listName() + "\" must be an array");
            }
            List<CatalogEntry> entries = new ArrayList<>();
            Set<String> keys = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                CatalogEntry e = CatalogEntry.parse(k, list.get(i), i, call.connection());
                if (!keys.add(e.key())) {
                    throw HubException.of(
                            ErrorCode.INVALID_PARAMS,
                            "duplicate_entry",
                            k.keyName() + " " + e.key() + " is listed twice");
                }
                entries.add(e);
            }
            parsed.put(k, entries);
            total += entries.size();
        }
        if (total == 0) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    call.method() + " needs a non-empty "
                            + String.join(
                                    " or ",
                                    kinds.stream()
                                            .map(k -> "\"" + k.listName() + "\"")
                                            .toList())
                            + " array");
        }
        boolean replace = params.path("replace").asBoolean(false);
        Session session = SessionManager.sessionOf(call.connection());
        Catalog catalog = of(session);
        // Both kinds of resources go in at once or not at all: the second is checked before the first is added.
        List<CatalogEntry> displaced = new ArrayList<>();
        displaced.addAll(catalog.register(call.connection(), parsed, replace));
        for (CatalogEntry d : displaced) {
            d.provider()
                    .outbound()
                    .send(new Message.Notification(
                            "notifications/" + d.kind().listName() + "/taken_over",
                            Json.mapper()
                                    .createObjectNode()
                                    .put(d.kind().keyName(), d.key())
                                    .put("by", call.connection().toString())));
        }
        changed(session, parsed.keySet());
        ObjectNode out = Json.mapper().createObjectNode();
        for (var e : parsed.entrySet()) {
            ArrayNode keys = out.putArray(e.getKey().listName());
            e.getValue().forEach(x -> keys.add(x.key()));
        }
        out.put("sessionId", session.id());
        return CompletableFuture.completedFuture(out);
    }

    private CompletionStage<JsonNode> unregister(Call call, Kind kind) {
        JsonNode params = call.params();
        Map<Kind, List<String>> keys = new LinkedHashMap<>();
        if (kind == Kind.PROMPT) {
            keys.put(Kind.PROMPT, strings(params, "names"));
        } else {
            keys.put(Kind.RESOURCE, strings(params, "uris"));
            keys.put(Kind.TEMPLATE, strings(params, "uriTemplates"));
        }
        Session session = SessionManager.sessionOf(call.connection());
        int n = 0;
        Set<Kind> changed = new HashSet<>();
        for (var e : keys.entrySet()) {
            int removed = of(session).unregister(call.connection(), e.getKey(), e.getValue());
            if (removed > 0) {
                changed.add(e.getKey());
            }
            n += removed;
        }
        if (!changed.isEmpty()) {
            changed(session, changed);
        }
        return CompletableFuture.completedFuture(
                Json.mapper().createObjectNode().put("unregistered", n));
    }

    private static List<String> strings(JsonNode params, String member) {
        JsonNode list = params.get(member);
        if (list == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (list.isArray()) {
            list.forEach(v -> out.add(v.isTextual() ? v.textValue() : null));
        }
        if (!list.isArray() || out.contains(null)) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "\"" + member + "\" must be an array of strings");
        }
        return out;
    }

    private CompletionStage<JsonNode> list(Call call, Kind kind) {
        Map<String, CatalogEntry> seen = new LinkedHashMap<>();
        for (Catalog catalog : visible(call.connection())) {
            for (CatalogEntry e : catalog.list(kind)) {
                seen.putIfAbsent(e.key(), e);
            }
        }
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode list = out.putArray(kind.listName());
        seen.values().forEach(e -> list.add(e.declaration()));
        return CompletableFuture.completedFuture(out);
    }

    private Optional<CatalogEntry> find(Connection c, Kind kind, String key) {
        return visible(c).stream()
                .map(catalog -> catalog.find(kind, key))
                .flatMap(Optional::stream)
                .findFirst();
    }

    private Optional<CatalogEntry> resolve(Connection c, String uri) {
        return visible(c).stream()
                .map(catalog -> catalog.resolve(uri))
                .flatMap(Optional::stream)
                .findFirst();
    }

    private CompletionStage<JsonNode> getPrompt(Call call) {
        String name = text(call.params(), "name");
        JsonNode arguments = call.params().get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "prompts/get: arguments must be an object");
        }
        CatalogEntry prompt = find(call.connection(), Kind.PROMPT, name)
                .orElseThrow(() -> HubException.of(
                        ErrorCode.INVALID_PARAMS, "no_such_prompt", "no prompt named " + name + " here"));
        for (JsonNode declared : prompt.declaration().path("arguments")) {
            String arg = declared.path("name").asText();
            if (declared.path("required").asBoolean(false) && (arguments == null || !arguments.has(arg))) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS, "missing_argument", "prompt " + name + " needs the argument " + arg);
            }
        }
        ObjectNode params = Json.mapper().createObjectNode().put("name", name);
        if (arguments != null && arguments.isObject()) {
            params.set("arguments", arguments);
        }
        return relay.relay(call, prompt, "prompts/get", params);
    }

    private CompletionStage<JsonNode> read(Call call) {
        String uri = text(call.params(), "uri");
        CatalogEntry resource = resolve(call.connection(), uri).orElseThrow(() -> notFound(uri));
        return relay.relay(
                call,
                resource,
                "resources/read",
                Json.mapper().createObjectNode().put("uri", uri));
    }

    private CompletionStage<JsonNode> subscribe(Call call) {
        String uri = text(call.params(), "uri");
        Connection c = call.connection();
        for (Catalog catalog : visible(c)) {
            if (catalog.resolve(uri).isPresent()) {
                if (!catalog.subscribe(c, uri, MAX_SUBSCRIPTIONS)) {
                    throw HubException.of(
                            ErrorCode.INVALID_PARAMS,
                            "too_many_subscriptions",
                            "a connection holds at most " + MAX_SUBSCRIPTIONS + " resource subscriptions in a"
                                    + " session");
                }
                return CompletableFuture.completedFuture(Json.mapper().createObjectNode());
            }
        }
        throw notFound(uri);
    }

    private CompletionStage<JsonNode> unsubscribe(Call call) {
        String uri = text(call.params(), "uri");
        visible(call.connection()).forEach(catalog -> catalog.unsubscribe(call.connection(), uri));
        return CompletableFuture.completedFuture(Json.mapper().createObjectNode());
    }

    /** A provider says a resource of its changed: its subscribers hear it. */
    private CompletionStage<JsonNode> updated(Call call) {
        JsonNode uri = call.params().get("uri");
        if (uri != null && uri.isTextual()) {
            Catalog catalog = of(SessionManager.sessionOf(call.connection()));
            // Only the provider of the resource speaks for it.
            if (catalog.provides(call.connection(), uri.textValue())) {
                Message m = new Message.Notification(
                        "notifications/resources/updated",
                        Json.mapper().createObjectNode().put("uri", uri.textValue()));
                catalog.subscribers(uri.textValue()).forEach(c -> c.outbound().send(m));
            }
        }
        return CompletableFuture.completedFuture(Json.mapper().nullNode());
    }

    private CompletionStage<JsonNode> complete(Call call) {
        JsonNode ref = call.params().get("ref");
        JsonNode argument = call.params().get("argument");
        if (ref == null
                || !ref.isObject()
                || argument == null
                || !argument.path("name").isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "completion/complete needs \"ref\" {type, name or uri} and \"argument\" {name, value}");
        }
        String type = ref.path("type").asText();
        Optional<CatalogEntry> owner;
        if (type.equals("ref/prompt")) {
            String name = text(ref, "name");
            owner = find(call.connection(), Kind.PROMPT, name);
        } else if (type.equals("ref/resource")) {
            String uri = text(ref, "uri");
            owner = find(call.connection(), Kind.TEMPLATE, uri).or(() -> find(call.connection(), Kind.RESOURCE, uri));
        } else {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "completion/complete: ref.type must be ref/prompt or ref/resource, got " + ref.path("type"));
        }
        CatalogEntry entry = owner.orElseThrow(() -> HubException.of(
                ErrorCode.INVALID_PARAMS, "no_such_ref", "completion/complete: nothing here is " + ref));
        ObjectNode params = Json.mapper().createObjectNode();
        params.set("ref", ref);
        params.set("argument", argument);
        if (call.params().has("context")) {
            params.set("context", call.params().get("context"));
        }
        // A provider that does not complete has no suggestions: MCP's answer for that is an empty list.
        return relay.relay(call, entry, "completion/complete", params).exceptionally(e -> {
            Throwable cause =
                    e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof HubException h && h.code() == ErrorCode.METHOD_NOT_FOUND) {
                ObjectNode none = Json.mapper().createObjectNode();
                ObjectNode completion = none.putObject("completion");
                completion.putArray("values");
                completion.put("hasMore", false);
                return none;
            }
            throw cause instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(cause);
        });
    }

    private static String text(JsonNode params, String member) {
        JsonNode v = params == null ? null : params.get(member);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "\"" + member + "\" must be a string");
        }
        return v.textValue();
    }

    private static HubException notFound(String uri) {
        var data = HubException.reasonData("no_such_resource");
        data.put("uri", uri);
        // MCP's code for a resource not found; the hub's "no provider" has the same number.
        return HubException.withData(ErrorCode.NO_PROVIDER, "Resource not found: " + uri, data);
    }
}
