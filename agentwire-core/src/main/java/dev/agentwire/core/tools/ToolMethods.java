package dev.agentwire.core.tools;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code tools/register}, {@code tools/unregister}, {@code tools/list}, {@code tools/call}, and the
 * progress a call carries ({@code notifications/progress} from providers; the hub routes a caller's
 * {@code notifications/cancelled} to {@link ToolRelay#cancelled}). Tools live in the caller's current session.
 */
public final class ToolMethods {

    private final ToolRelay relay;
    private final ToolTables tables;
    private final SessionManager sessions;
    private final int pageSize;
    private final int maxPerSession;

    private ToolMethods(ToolRelay relay, ToolTables tables, SessionManager sessions, int pageSize, int maxPerSession) {
        this.relay = relay;
        this.tables = tables;
        this.sessions = sessions;
        this.pageSize = pageSize;
        this.maxPerSession = maxPerSession;
    }

    public static void register(
            MethodRegistry registry,
            ToolRelay relay,
            ToolTables tables,
            SessionManager sessions,
            int pageSize,
            int maxPerSession) {
        ToolMethods m = new ToolMethods(relay, tables, sessions, pageSize, maxPerSession);
        registry.register("tools/register", Access.scope("tools:provide"), m::registerTools);
        registry.register("tools/unregister", Access.scope("tools:provide"), m::unregisterTools);
        registry.register("tools/list", Access.scope("tools:call"), m::list);
        // On a worker, never inline: validating the arguments runs the provider's schema (patterns included).
        registry.register("tools/call", Access.scope("tools:call"), m::call);
        // A provider's requests to the caller of its call, as an MCP server makes them of its client.
        CALLER_REQUESTS.forEach((method, capability) -> registry.register(
                method,
                Access.scope("tools:provide"),
                call -> relay.ask(call.connection(), method, capability, call.params())));
    }

    /** The requests a provider may make of its caller, each with the MCP client capability it needs. */
    public static final java.util.Map<String, String> CALLER_REQUESTS = java.util.Map.of(
            "sampling/createMessage", "sampling",
            "elicitation/create", "elicitation",
            "roots/list", "roots");

    /** Tells every member of {@code session}, and every connection that sees all sessions, that tools changed. */
    public static void notifyChanged(Session session, ToolTables tables) {
        Message changed = new Message.Notification("notifications/tools/list_changed", null);
        java.util.Set<Connection> told = new java.util.HashSet<>();
        for (Connection c : session.members()) {
            if (c.isOpen() && told.add(c)) {
                c.outbound().send(changed);
            }
        }
        for (Connection c : tables.viewers()) {
            if (c.isOpen() && told.add(c)) {
                c.outbound().send(changed);
            }
        }
    }

    record Register(
            @JsonProperty("tools") JsonNode tools,
            @JsonProperty("replace") Boolean replace) {}

    private CompletionStage<JsonNode> registerTools(Call call) {
        Register r = call.params(Register.class);
        if (r.tools() == null || !r.tools().isArray() || r.tools().isEmpty()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "tools/register needs a non-empty \"tools\" array");
        }
        List<ToolDef> defs = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < r.tools().size(); i++) {
            ToolDef d = ToolDef.parse(r.tools().get(i), i);
            if (!names.add(d.name())) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS, "duplicate_tool", "tool " + d.name() + " is listed twice");
            }
            defs.add(d);
        }
        Session session = SessionManager.sessionOf(call.connection());
        List<ToolTable.Entry> displaced =
                tables.of(session).register(call.connection(), defs, Boolean.TRUE.equals(r.replace()));
        for (ToolTable.Entry e : displaced) {
            e.provider()
                    .notify(
                            "notifications/tools/taken_over",
                            Json.mapper()
                                    .createObjectNode()
                                    .put("name", e.tool().name())
                                    .put("by", call.connection().toString()));
        }
        notifyChanged(session, tables);
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode registered = out.putArray("registered");
        defs.forEach(d -> registered.add(d.name()));
        out.put("sessionId", session.id());
        return CompletableFuture.completedFuture(out);
    }

    record Unregister(@JsonProperty("names") List<String> names) {}

    private CompletionStage<JsonNode> unregisterTools(Call call) {
        Unregister u = call.params(Unregister.class);
        if (u.names() == null) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "tools/unregister needs \"names\"");
        }
        Session session = SessionManager.sessionOf(call.connection());
        int n = tables.of(session).unregister(call.connection(), u.names());
        if (n > 0) {
            notifyChanged(session, tables);
        }
        return CompletableFuture.completedFuture(
                Json.mapper().createObjectNode().put("unregistered", n));
    }

    record ListParams(@JsonProperty("cursor") String cursor) {}

    private CompletionStage<JsonNode> list(Call call) {
        ListParams p = call.params(ListParams.class);
        String after = "";
        if (p.cursor() != null) {
            try {
                after = new String(Base64.getUrlDecoder().decode(p.cursor()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_cursor",
                        "cursor " + p.cursor() + " is not one tools/list gave");
            }
        }
        if (Boolean.TRUE.equals(call.connection().get(SessionManager.ALL_SESSIONS))) {
            return CompletableFuture.completedFuture(listAll(call.connection()));
        }
        ToolTable table = tables.of(call.connection());
        List<ToolTable.Listed> page = table.listing(after, pageSize);
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode tools = out.putArray("tools");
        for (ToolTable.Listed l : page) {
            ObjectNode declaration = l.entry().tool().declaration();
            if (!l.hub().equals(dev.agentwire.core.relay.LocalDirectory.ALONE)) {
                // In a cluster: which hub serves it (MCP lets a tool carry _meta).
                declaration = declaration.deepCopy();
                declaration.withObject("/_meta").put("agentwire/hub", l.hub());
            }
            tools.add(declaration);
        }
        if (!page.isEmpty()
                && table.hasAfter(page.get(page.size() - 1).entry().tool().name())) {
            String last = page.get(page.size() - 1).entry().tool().name();
            out.put(
                    "nextCursor",
                    Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8)));
        }
        return CompletableFuture.completedFuture(out);
    }

    /** Every session's tools at once (no pages), under names that cannot collide; the caller hears of changes. */
    private ObjectNode listAll(Connection c) {
        tables.viewers().add(c);
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode tools = out.putArray("tools");
        for (AllSessions.Named n : AllSessions.of(c, sessions, tables, maxPerSession)) {
            ObjectNode declaration = n.entry().tool().declaration().deepCopy();
            declaration.put("name", n.name());
            tools.add(declaration);
        }
        return out;
    }

    record CallParams(
            @JsonProperty("name") String name,
            @JsonProperty("arguments") JsonNode arguments,
            @JsonProperty("timeoutMs") Long timeoutMs) {}

    private CompletionStage<JsonNode> call(Call call) {
        CallParams p = call.params(CallParams.class);
        if (p.name() == null) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "tools/call needs \"name\"");
        }
        JsonNode args =
                p.arguments() == null || p.arguments().isNull() ? Json.mapper().createObjectNode() : p.arguments();
        if (Boolean.TRUE.equals(call.connection().get(SessionManager.ALL_SESSIONS))) {
            AllSessions.Named named = AllSessions.find(call.connection(), sessions, tables, maxPerSession, p.name())
                    .orElseThrow(() -> {
                        var data = HubException.reasonData("no_provider");
                        data.put("tool", p.name());
                        return HubException.withData(
                                ErrorCode.NO_PROVIDER,
                                "no live provider for tool " + p.name() + " in the sessions this connection sees",
                                data);
                    });
            return relay.call(call, named.session().id(), named.entry(), args, Optional.ofNullable(p.timeoutMs()));
        }
        Session session = SessionManager.sessionOf(call.connection());
        ToolTable.Entry entry = tables.of(session).find(p.name()).orElseThrow(() -> {
            var data = HubException.reasonData("no_provider");
            data.put("tool", p.name());
            data.put("sessionId", session.id());
            return HubException.withData(
                    ErrorCode.NO_PROVIDER,
                    "no live provider for tool " + p.name() + " in session " + session.name(),
                    data);
        });
        return relay.call(call, session.id(), entry, args, Optional.ofNullable(p.timeoutMs()));
    }
}
