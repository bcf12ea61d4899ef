package dev.agentwire.server.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.time.Instant;
import java.util.Set;

/**
 * One A2A task in the hub's own form, independent of the protocol version a client speaks: its ids, the service it
 * went to, its owner (the identity that sent it), its state (0.3's spelling: {@code working}, {@code completed},
 * ...), the status text, its artifacts ({@code [{artifactId, parts: [{text} | {data}]}]}) and its history (the
 * messages in neutral form, {@code {messageId, role: user|agent, parts}}). Mutable under its own lock; copied
 * out as JSON for the store and the dialects.
 */
final class A2aTask {

    static final Set<String> TERMINAL = Set.of("completed", "canceled", "failed", "rejected");

    private final String id;
    private final String contextId;
    private final String service;
    private final String owner;
    private String state;
    private String statusText;
    private Instant timestamp;
    private final ArrayNode artifacts;
    private final ArrayNode history;

    A2aTask(String id, String contextId, String service, String owner, JsonNode firstMessage) {
        this.id = id;
        this.contextId = contextId;
        this.service = service;
        this.owner = owner;
        this.state = "submitted";
        this.timestamp = Instant.now();
        this.artifacts = Json.mapper().createArrayNode();
        this.history = Json.mapper().createArrayNode();
        if (firstMessage != null) {
            history.add(firstMessage);
        }
    }

    /** A task as the store keeps it. */
    static A2aTask fromJson(JsonNode j) {
        A2aTask t = new A2aTask(
                j.path("id").asText(),
                j.path("contextId").asText(),
                j.path("service").asText(),
                j.path("owner").asText(),
                null);
        t.state = j.path("state").asText("unknown");
        t.statusText = j.path("statusText").isTextual() ? j.get("statusText").asText() : null;
        t.timestamp = Instant.parse(j.path("timestamp").asText(Instant.EPOCH.toString()));
        t.artifacts.addAll((ArrayNode) j.path("artifacts"));
        t.history.addAll((ArrayNode) j.path("history"));
        return t;
    }

    String id() {
        return id;
    }

    String contextId() {
        return contextId;
    }

    String service() {
        return service;
    }

    String owner() {
        return owner;
    }

    synchronized String state() {
        return state;
    }

    synchronized boolean terminal() {
        return TERMINAL.contains(state);
    }

    /** Moves to {@code state} unless the task already ended; whether it moved. */
    synchronized boolean to(String newState, String text) {
        if (terminal()) {
            return false;
        }
        state = newState;
        statusText = text;
        timestamp = Instant.now();
        return true;
    }

    /** Appends {@code parts} to the artifact {@code artifactId} (a new one if it has none yet). */
    synchronized void append(String artifactId, ArrayNode parts) {
        for (JsonNode a : artifacts) {
            if (a.path("artifactId").asText().equals(artifactId)) {
                ((ArrayNode) a.get("parts")).addAll(parts);
                return;
            }
        }
        ObjectNode a = artifacts.addObject().put("artifactId", artifactId);
        a.putArray("parts").addAll(parts);
    }

    synchronized void addHistory(JsonNode message) {
        history.add(message);
    }

    /** The task as JSON, in the hub's form. */
    synchronized ObjectNode toJson() {
        ObjectNode j = Json.mapper().createObjectNode();
        j.put("id", id);
        j.put("contextId", contextId);
        j.put("service", service);
        j.put("owner", owner);
        j.put("state", state);
        if (statusText != null) {
            j.put("statusText", statusText);
        }
        j.put("timestamp", timestamp.toString());
        j.set("artifacts", artifacts.deepCopy());
        j.set("history", history.deepCopy());
        return j;
    }
}
