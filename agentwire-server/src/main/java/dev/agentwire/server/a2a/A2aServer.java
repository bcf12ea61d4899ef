package dev.agentwire.server.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.services.Instance;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RawJson;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
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

    private final HubCore core;
    private final Path db;
    private A2aTaskStore store;
    private final Map<String, A2aLink> links = new ConcurrentHashMap<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    public A2aServer(HubCore core, Path db) {
        this.core = core;
        this.db = db;
    }

    /** Opens the task store (its thread starts here). */
    public void start() {
        try {
            store = A2aTaskStore.open(db);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the A2A task store in " + db + ": " + e.getMessage(), e);
        }
    }

    // ---- cards ---------------------------------------------------------------------------------------------

    /** The card of {@code service} as served from {@code base} (scheme and authority), if it has an instance. */
    Optional<ObjectNode> card(String service, String base) {
        var found = core.require(ServiceRelay.class).registry().find(service);
        if (found.isEmpty() || found.get().instances().isEmpty()) {
            return Optional.empty();
        }
        String description = "agentwire service " + service;
        String version = "1.0.0";
        Map<String, String> actions = new LinkedHashMap<>();
        for (Instance i : found.get().instances()) {
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
        for (var s : new TreeSet<>(core.require(ServiceRelay.class).registry().all().stream()
                .map(x -> x.name())
                .toList())) {
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
        String key = grant.subject() + "|" + new TreeSet<>(grant.scopes());
        A2aLink l = links.get(key);
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
        links.put(key, fresh);
        return fresh;
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
        if (action == null) {
            action = onlyAction(service).orElse("message");
        }
        ObjectNode params =
                Json.mapper().createObjectNode().put("service", service).put("action", action);
        params.set("data", data);
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
        Id request = link.call("services/request", params, answer -> {
            link.noProgress(task.id());
            running.remove(task.id());
            if (answer instanceof Message.Response r) {
                ArrayNode parts = parts(RawJson.tree(r.result()));
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
        running.put(task.id(), new Running(task, link, request));
        store.put(task);
        if (immediate) {
            done.complete(task);
        }
        return done;
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
