package dev.agentwire.server.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.services.Instance;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.core.sessions.SessionManager;
import dev.agentwire.core.tools.ToolTable;
import dev.agentwire.core.tools.ToolTables;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RawJson;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A2A over the hub's named services: each service is an agent with a card ({@link #card}), and a message sent to it
 * becomes one {@code services/request} whose answer completes the task; an instance's
 * {@code notifications/progress} are the task's streamed chunks. Tasks are kept in {@code hub.db}
 * ({@link A2aTaskStore}); the ones still running are also here, so that a cancel reaches their instance. One per
 * hub; thread safe. The HTTP side is {@link A2aHandler}.
 */
public final class A2aServer implements AutoCloseable {

    /** What a task's events reach while it runs: a stream, or nothing (a client that did not stream). */
    interface Events {
        void event(JsonNode result);

        void end();

        Events NONE = new Events() {
            @Override
            public void event(JsonNode result) {}

            @Override
            public void end() {}
        };
    }

    /** A2A's error codes. */
    static final int TASK_NOT_FOUND = -32001;

    static final int TASK_NOT_CANCELABLE = -32002;

    static final int VERSION_NOT_SUPPORTED = -32009;

    private record Running(A2aTask task, A2aLink link, Id request) {}

    /** A tool provider that opted in ({@code a2a/expose}): its agent's name and which of its tools are skills. */
    private record Exposed(String name, Connection provider, String description, List<String> tools) {}

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Map<String, Exposed> exposed = new ConcurrentHashMap<>();

    private final HubCore core;
    private final Path db;
    private A2aTaskStore store;
    private final Map<String, A2aLink> links = new ConcurrentHashMap<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    public A2aServer(HubCore core, Path db) {
        this.core = core;
        this.db = db;
    }

    /**
     * Registers {@code a2a/expose} (scope {@code tools:provide}): a tool provider in the default session makes its
     * tools an agent at {@code /a2a/<name>}, until it disconnects. Then opens the task store (its thread starts here).
     */
    public void start() {
        core.registry().register("a2a/expose", dev.agentwire.core.rpc.Access.scope("tools:provide"), this::expose);
        core.onConnectionClosed(c -> exposed.values().removeIf(e -> e.provider() == c));
        try {
            store = A2aTaskStore.open(db);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the A2A task store in " + db + ": " + e.getMessage(), e);
        }
    }

    private java.util.concurrent.CompletionStage<JsonNode> expose(dev.agentwire.core.rpc.Call call) {
        JsonNode p = call.params();
        String name = p.path("name").asText("");
        if (!NAME.matcher(name).matches()) {
            throw HubException.of(
                    dev.agentwire.protocol.ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "a2a/expose needs name: 1-64 letters, digits, _ . -");
        }
        Connection c = call.connection();
        if (SessionManager.sessionOf(c) != core.require(SessionManager.class).defaultSession()) {
            throw HubException.of(
                    dev.agentwire.protocol.ErrorCode.INVALID_PARAMS,
                    "not_default_session",
                    "only a provider in the default session can expose its tools as an agent");
        }
        var service = core.require(ServiceRelay.class).registry().find(name);
        Exposed mine = new Exposed(
                name,
                c,
                p.path("description").asText("Tools of " + (c.name().isBlank() ? c.identity() : c.name())),
                p.path("tools").isArray()
                        ? java.util.stream.StreamSupport.stream(p.get("tools").spliterator(), false)
                                .map(JsonNode::asText)
                                .toList()
                        : List.of());
        Exposed held = exposed.putIfAbsent(name, mine);
        if ((held != null && held.provider() != c)
                || (service.isPresent() && !service.get().instances().isEmpty())) {
            if (held == null) {
                exposed.remove(name, mine);
            }
            throw HubException.of(
                    dev.agentwire.protocol.ErrorCode.INVALID_PARAMS,
                    "name_taken",
                    "the agent name " + name + " is taken by a service or another provider");
        }
        exposed.put(name, mine);
        return CompletableFuture.completedFuture(Json.mapper()
                .createObjectNode()
                .put("name", name)
                .put("card", "/a2a/" + name + "/.well-known/agent-card.json"));
    }

    /** The tools of an exposed provider that are its skills. */
    private List<ToolTable.Entry> tools(Exposed e) {
        var table = core.require(ToolTables.class)
                .of(core.require(SessionManager.class).defaultSession());
        return table.page("", Integer.MAX_VALUE).stream()
                .filter(t -> t.provider() instanceof dev.agentwire.core.relay.LocalProvider l
                        && l.connection() == e.provider())
                .filter(t -> e.tools().isEmpty() || e.tools().contains(t.tool().name()))
                .toList();
    }

    // ---- cards ---------------------------------------------------------------------------------------------

    /** The card of {@code service} as served from {@code base} (scheme and authority), if it has an instance. */
    Optional<ObjectNode> card(String service, String base) {
        var found = core.require(ServiceRelay.class).registry().find(service);
        String description = "agentwire service " + service;
        String version = "1.0.0";
        Map<String, String> actions = new LinkedHashMap<>();
        if (found.isEmpty() || found.get().instances().isEmpty()) {
            Exposed e = exposed.get(service);
            if (e == null || !e.provider().isOpen()) {
                return Optional.empty();
            }
            description = e.description();
            for (ToolTable.Entry t : tools(e)) {
                actions.put(
                        t.tool().name(),
                        t.tool()
                                .declaration()
                                .path("description")
                                .asText(t.tool().name()));
            }
        }
        for (Instance i : found.map(x -> x.instances()).orElse(List.of())) {
            ObjectNode about = i.about();
            if (about.path("description").isTextual()) {
                description = about.get("description").asText();
            }
            if (!i.version().isEmpty()) {
                version = i.version();
            }
            for (JsonNode a : about.path("actions")) {
                actions.putIfAbsent(
                        a.path("name").asText(),
                        a.path("description").asText(a.path("name").asText()));
            }
        }
        String url = base + "/a2a/" + service;
        ObjectNode card = Json.mapper().createObjectNode();
        card.put("name", service);
        card.put("description", description);
        card.put("version", version);
        card.putArray("supportedInterfaces")
                .addObject()
                .put("url", url)
                .put("protocolBinding", "JSONRPC")
                .put("protocolVersion", "1.0");
        card.put("url", url); // A2A 0.3 clients read these two
        card.put("preferredTransport", "JSONRPC");
        card.put("protocolVersion", "0.3.0");
        card.putObject("capabilities").put("streaming", true).put("pushNotifications", false);
        card.putArray("defaultInputModes").add("text/plain").add("application/json");
        card.putArray("defaultOutputModes").add("text/plain").add("application/json");
        ObjectNode schemes = card.putObject("securitySchemes");
        schemes.putObject("bearer").put("type", "http").put("scheme", "bearer");
        card.putArray("security").addObject().putArray("bearer");
        ArrayNode skills = card.putArray("skills");
        if (actions.isEmpty()) {
            actions.put("message", "Send " + service + " a message; it answers with its result");
        }
        actions.forEach((name, text) -> {
            ObjectNode s = skills.addObject().put("id", name).put("name", name).put("description", text);
            s.putArray("tags").add("agentwire").add(service);
        });
        return Optional.of(card);
    }

    /** The hub's own card: what it is, and every service's card. */
    ObjectNode hubCard(String base) {
        ObjectNode card = Json.mapper().createObjectNode();
        card.put("name", "agentwire");
        card.put("description", "An agentwire hub: each named service below is an agent at /a2a/<service>");
        card.put("version", "1.0.0");
        card.putObject("capabilities").put("streaming", true).put("pushNotifications", false);
        card.putArray("defaultInputModes").add("text/plain").add("application/json");
        card.putArray("defaultOutputModes").add("text/plain").add("application/json");
        ArrayNode skills = card.putArray("skills");
        ArrayNode agents = card.putArray("agents");
        TreeSet<String> names = new TreeSet<>(core.require(ServiceRelay.class).registry().all().stream()
                .map(x -> x.name())
                .toList());
        names.addAll(exposed.keySet());
        for (var s : names) {
            card(s, base).ifPresent(c -> {
                agents.addObject()
                        .put("name", s)
                        .put("description", c.path("description").asText())
                        .put("agentCardUrl", base + "/a2a/" + s + "/.well-known/agent-card.json");
                ObjectNode skill = skills.addObject()
                        .put("id", s)
                        .put("name", s)
                        .put("description", c.path("description").asText());
                skill.putArray("tags").add("agentwire").add("service");
            });
        }
        return card;
    }

    // ---- messages and tasks --------------------------------------------------------------------------------

    /** The link of {@code grant}'s identity and scopes, opened on first use. */
    private A2aLink link(TokenService.Grant grant, String address) {
        // One link per token (its id, scopes and expiry): the link is checked against the grant it was opened with.
        String key = grant.subject() + "|" + new TreeSet<>(grant.scopes()) + "|"
                + grant.jti().orElse("") + "|"
                + grant.expiresAt().map(Object::toString).orElse("");
        links.values().removeIf(l -> !l.isOpen());
        return links.compute(key, (k, l) -> {
            if (l != null && l.isOpen()) {
                return l;
            }
            A2aLink fresh = new A2aLink();
            var c = core.open(Peer.remote(Transport.HTTP, address), fresh);
            fresh.attach(c);
            try {
                core.authenticate(c, grant);
            } catch (HubException e) {
                c.closed();
                throw e;
            }
            return fresh;
        });
    }

    /**
     * A message to {@code service}: a new task, sent to an instance. The future completes with the task at once
     * ({@code immediate}) or when it ended; {@code events} gets its stream.
     */
    CompletableFuture<A2aTask> send(
            TokenService.Grant grant,
            String address,
            String service,
            A2aDialect dialect,
            ObjectNode message,
            boolean immediate,
            Events events) {
        A2aLink link = link(grant, address);
        String contextId = message.path("contextId").asText(UUID.randomUUID().toString());
        message.remove("contextId");
        A2aTask task = new A2aTask(UUID.randomUUID().toString(), contextId, service, grant.subject(), message);
        ObjectNode data = Json.mapper().createObjectNode();
        StringBuilder text = new StringBuilder();
        String action = message.path("metadata").path("action").asText(null);
        for (JsonNode p : message.path("parts")) {
            if (p.has("text")) {
                text.append(text.length() > 0 ? "\n" : "").append(p.get("text").asText());
            } else if (!data.has("data")) {
                data.set("data", p.get("data"));
                if (action == null && p.get("data").path("action").isTextual()) {
                    action = p.get("data").get("action").asText();
                }
            }
        }
        if (text.length() > 0) {
            data.put("text", text.toString());
        }
        data.put("taskId", task.id()).put("contextId", contextId);
        Exposed tool = serviceLive(service) ? null : exposed.get(service);
        if (action == null) {
            action = (tool != null ? onlyTool(tool) : onlyAction(service)).orElse("message");
        }
        String method;
        ObjectNode params = Json.mapper().createObjectNode();
        if (tool != null) {
            String named = action;
            List<ToolTable.Entry> skills = tools(tool);
            if (skills.stream().noneMatch(t -> t.tool().name().equals(named))) {
                throw HubException.of(
                        dev.agentwire.protocol.ErrorCode.INVALID_PARAMS,
                        "unknown_skill",
                        "agent " + service + " has no skill " + action + ": it has "
                                + skills.stream().map(t -> t.tool().name()).toList());
            }
            // A tool provider's agent: the action names the tool; its arguments are the data part, or the text.
            method = "tools/call";
            params.put("name", action);
            JsonNode args = data.path("data");
            params.set(
                    "arguments",
                    args.isObject()
                            ? args
                            : Json.mapper()
                                    .createObjectNode()
                                    .put("text", data.path("text").asText()));
        } else {
            method = "services/request";
            params.put("service", service).put("action", action);
            params.set("data", data);
        }
        params.putObject("_meta").put("progressToken", task.id());
        task.to("working", null);
        events.event(dialect.streamTask(dialect.task(task, -1)));
        CompletableFuture<A2aTask> done = new CompletableFuture<>();
        int[] chunks = {0};
        link.onProgress(task.id(), p -> {
            ArrayNode parts = Json.mapper().createArrayNode();
            parts.addObject().put("text", p.path("message").asText(""));
            task.append("stream", parts);
            events.event(dialect.artifactUpdate(task, "stream", parts, chunks[0]++ > 0, false));
        });
        boolean toolCall = tool != null;
        // Recorded and stored before the call goes out: a fast answer must find the task, and be written after it.
        Id request = link.reserve();
        running.put(task.id(), new Running(task, link, request));
        store.put(task);
        link.call(request, method, params, answer -> {
            link.noProgress(task.id());
            running.remove(task.id());
            JsonNode result = answer instanceof Message.Response r ? RawJson.tree(r.result()) : null;
            if (toolCall && result != null && result.path("isError").asBoolean()) {
                task.to("failed", toolText(result));
            } else if (answer instanceof Message.Response) {
                ArrayNode parts = toolCall ? toolParts(result) : parts(result);
                task.append("result", parts);
                task.addHistory(agentMessage(parts));
                events.event(dialect.artifactUpdate(task, "result", parts, false, true));
                task.to("completed", null);
            } else if (answer instanceof Message.ErrorResponse e) {
                task.to(
                        e.error().code() == -32009 ? "canceled" : "failed",
                        e.error().message());
            }
            events.event(dialect.statusUpdate(task, true));
            events.end();
            store.put(task).whenComplete((x, err) -> done.complete(task));
        });
        if (immediate) {
            done.complete(task);
        }
        return done;
    }

    private boolean serviceLive(String service) {
        var found = core.require(ServiceRelay.class).registry().find(service);
        return found.isPresent() && !found.get().instances().isEmpty();
    }

    private Optional<String> onlyTool(Exposed e) {
        List<ToolTable.Entry> t = tools(e);
        return t.size() == 1 ? Optional.of(t.get(0).tool().name()) : Optional.empty();
    }

    /** A tool result's content as parts: text items as text, the others (images, resources) as data. */
    static ArrayNode toolParts(JsonNode result) {
        ArrayNode parts = Json.mapper().createArrayNode();
        for (JsonNode item : result.path("content")) {
            if (item.path("type").asText().equals("text")) {
                parts.addObject().put("text", item.path("text").asText());
            } else {
                parts.addObject().set("data", item);
            }
        }
        if (result.path("structuredContent").isObject()) {
            parts.addObject().set("data", result.get("structuredContent"));
        }
        return parts;
    }

    private static String toolText(JsonNode result) {
        StringBuilder b = new StringBuilder();
        for (JsonNode item : result.path("content")) {
            if (item.path("text").isTextual()) {
                b.append(b.length() > 0 ? "\n" : "").append(item.get("text").asText());
            }
        }
        return b.length() > 0 ? b.toString() : "the tool answered with an error";
    }

    private Optional<String> onlyAction(String service) {
        var found = core.require(ServiceRelay.class).registry().find(service);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        TreeSet<String> names = new TreeSet<>();
        for (Instance i : found.get().instances()) {
            for (JsonNode a : i.about().path("actions")) {
                names.add(a.path("name").asText());
            }
        }
        return names.size() == 1 ? Optional.of(names.first()) : Optional.empty();
    }

    /** A service's answer as parts: text as text, an object as data, anything else as {@code {value}} data. */
    static ArrayNode parts(JsonNode result) {
        ArrayNode parts = Json.mapper().createArrayNode();
        if (result.isTextual()) {
            parts.addObject().put("text", result.asText());
        } else if (result.isObject()) {
            if (result.path("text").isTextual()) {
                parts.addObject().put("text", result.get("text").asText());
            }
            parts.addObject().set("data", result);
        } else {
            parts.addObject().putObject("data").set("value", result);
        }
        return parts;
    }

    private static ObjectNode agentMessage(ArrayNode parts) {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("messageId", UUID.randomUUID().toString());
        m.put("role", "agent");
        m.set("parts", parts);
        return m;
    }

    /** The task {@code id} of {@code owner} at {@code service}: running or stored. */
    CompletableFuture<Optional<A2aTask>> task(String id, String owner, String service) {
        Running r = running.get(id);
        if (r != null) {
            A2aTask t = r.task();
            return CompletableFuture.completedFuture(
                    t.owner().equals(owner) && t.service().equals(service) ? Optional.of(t) : Optional.empty());
        }
        return store.get(id, owner).thenApply(t -> t.filter(x -> x.service().equals(service)));
    }

    /**
     * Cancels the running task {@code id}: its instance is told, and it is {@code canceled}. Completes with the
     * task, or exceptionally with A2A's TaskNotFound or TaskNotCancelable.
     */
    CompletableFuture<A2aTask> cancel(String id, String owner, String service) {
        Running r = running.get(id);
        if (r != null && r.task().owner().equals(owner) && r.task().service().equals(service)) {
            A2aTask t = r.task();
            if (t.to("canceled", "canceled by the client")) {
                r.link()
                        .notify(
                                "notifications/cancelled",
                                Json.mapper()
                                        .createObjectNode()
                                        .put("requestId", ((Id.Num) r.request()).value())
                                        .put("reason", "A2A CancelTask"));
                return store.put(t).thenApply(x -> t);
            }
        }
        return task(id, owner, service).thenApply(t -> {
            if (t.isEmpty()) {
                throw new A2aError(TASK_NOT_FOUND, "no task " + id);
            }
            throw new A2aError(
                    TASK_NOT_CANCELABLE, "task " + id + " is " + t.get().state() + " and cannot be canceled");
        });
    }

    /** Tasks of {@code owner} at {@code service}. */
    CompletableFuture<java.util.List<A2aTask>> list(
            String owner, String service, String contextId, String state, int limit) {
        return store.list(owner, service, contextId, state, limit);
    }

    /** An A2A error: its code and message. */
    static final class A2aError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        A2aError(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    @Override
    public void close() {
        links.values().forEach(A2aLink::close);
        if (store != null) {
            store.close();
        }
    }
}
