package dev.agentwire.server.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.util.Locale;

/**
 * The two spellings of A2A's JSON-RPC binding the hub speaks: 1.0 ({@code SendMessage}, {@code ROLE_USER},
 * {@code TASK_STATE_COMPLETED}, parts as {@code {text}} or {@code {data}}, results wrapped as {@code {task}} and
 * {@code {statusUpdate}}) and 0.3 ({@code message/send}, {@code user}, {@code completed}, parts and objects with a
 * {@code kind}). Each reads a client's message into the hub's neutral form and writes tasks and stream events
 * back in its own. Stateless.
 */
enum A2aDialect {
    V1_0 {
        @Override
        ObjectNode newTask() {
            return Json.mapper().createObjectNode();
        }

        @Override
        ObjectNode status(JsonNode n) {
            ObjectNode s = Json.mapper().createObjectNode();
            s.put(
                    "state",
                    "TASK_STATE_"
                            + n.path("state").asText().toUpperCase(Locale.ROOT).replace('-', '_'));
            if (n.path("statusText").isTextual()) {
                s.set("message", message(agentText(n.path("statusText").asText())));
            }
            s.put("timestamp", n.path("timestamp").asText());
            return s;
        }

        @Override
        ObjectNode message(JsonNode neutral) {
            ObjectNode m = Json.mapper().createObjectNode();
            m.put("messageId", neutral.path("messageId").asText());
            m.put("role", neutral.path("role").asText().equals("agent") ? "ROLE_AGENT" : "ROLE_USER");
            m.set("parts", parts(neutral.path("parts")));
            return m;
        }

        @Override
        ArrayNode parts(JsonNode neutral) {
            ArrayNode out = Json.mapper().createArrayNode();
            for (JsonNode p : neutral) {
                out.add(p.deepCopy());
            }
            return out;
        }

        @Override
        JsonNode sendResult(ObjectNode task) {
            ObjectNode r = Json.mapper().createObjectNode();
            r.set("task", task);
            return r;
        }

        @Override
        JsonNode streamTask(ObjectNode task) {
            return sendResult(task);
        }

        @Override
        JsonNode statusUpdate(A2aTask t, boolean last) {
            ObjectNode u = Json.mapper().createObjectNode();
            u.put("taskId", t.id()).put("contextId", t.contextId());
            u.set("status", status(t.toJson()));
            ObjectNode r = Json.mapper().createObjectNode();
            r.set("statusUpdate", u);
            return r;
        }

        @Override
        JsonNode artifactUpdate(A2aTask t, String artifactId, ArrayNode parts, boolean append, boolean lastChunk) {
            ObjectNode u = Json.mapper().createObjectNode();
            u.put("taskId", t.id()).put("contextId", t.contextId());
            ObjectNode a = u.putObject("artifact").put("artifactId", artifactId);
            a.set("parts", parts(parts));
            u.put("append", append).put("lastChunk", lastChunk);
            ObjectNode r = Json.mapper().createObjectNode();
            r.set("artifactUpdate", u);
            return r;
        }

        @Override
        JsonNode neutralPart(JsonNode p) {
            if (p.path("text").isTextual()) {
                return Json.mapper()
                        .createObjectNode()
                        .put("text", p.get("text").asText());
            }
            if (p.has("data")) {
                return Json.mapper().createObjectNode().set("data", p.get("data"));
            }
            return null;
        }

        @Override
        boolean immediate(JsonNode params) {
            return params.path("configuration").path("returnImmediately").asBoolean(false);
        }
    },

    V0_3 {
        @Override
        ObjectNode newTask() {
            return Json.mapper().createObjectNode().put("kind", "task");
        }

        @Override
        ObjectNode status(JsonNode n) {
            ObjectNode s = Json.mapper().createObjectNode();
            s.put("state", n.path("state").asText());
            if (n.path("statusText").isTextual()) {
                s.set("message", message(agentText(n.path("statusText").asText())));
            }
            s.put("timestamp", n.path("timestamp").asText());
            return s;
        }

        @Override
        ObjectNode message(JsonNode neutral) {
            ObjectNode m = Json.mapper().createObjectNode();
            m.put("kind", "message");
            m.put("messageId", neutral.path("messageId").asText());
            m.put("role", neutral.path("role").asText().equals("agent") ? "agent" : "user");
            m.set("parts", parts(neutral.path("parts")));
            return m;
        }

        @Override
        ArrayNode parts(JsonNode neutral) {
            ArrayNode out = Json.mapper().createArrayNode();
            for (JsonNode p : neutral) {
                if (p.has("text")) {
                    out.addObject()
                            .put("kind", "text")
                            .put("text", p.get("text").asText());
                } else {
                    out.addObject().put("kind", "data").set("data", p.get("data"));
                }
            }
            return out;
        }

        @Override
        JsonNode sendResult(ObjectNode task) {
            return task;
        }

        @Override
        JsonNode streamTask(ObjectNode task) {
            return task;
        }

        @Override
        JsonNode statusUpdate(A2aTask t, boolean last) {
            ObjectNode u = Json.mapper().createObjectNode();
            u.put("kind", "status-update");
            u.put("taskId", t.id()).put("contextId", t.contextId());
            u.set("status", status(t.toJson()));
            u.put("final", last);
            return u;
        }

        @Override
        JsonNode artifactUpdate(A2aTask t, String artifactId, ArrayNode parts, boolean append, boolean lastChunk) {
            ObjectNode u = Json.mapper().createObjectNode();
            u.put("kind", "artifact-update");
            u.put("taskId", t.id()).put("contextId", t.contextId());
            ObjectNode a = u.putObject("artifact").put("artifactId", artifactId);
            a.set("parts", parts(parts));
            u.put("append", append).put("lastChunk", lastChunk);
            return u;
        }

        @Override
        JsonNode neutralPart(JsonNode p) {
            String kind = p.path("kind").asText(p.has("text") ? "text" : p.has("data") ? "data" : "");
            if (kind.equals("text") && p.path("text").isTextual()) {
                return Json.mapper()
                        .createObjectNode()
                        .put("text", p.get("text").asText());
            }
            if (kind.equals("data") && p.has("data")) {
                return Json.mapper().createObjectNode().set("data", p.get("data"));
            }
            return null;
        }

        @Override
        boolean immediate(JsonNode params) {
            return !params.path("configuration").path("blocking").asBoolean(true);
        }
    };

    /** A task as this version writes it, with at most {@code historyLength} messages of history (-1: all). */
    ObjectNode task(A2aTask t, int historyLength) {
        ObjectNode j = newTask();
        JsonNode n = t.toJson();
        j.put("id", t.id());
        j.put("contextId", t.contextId());
        j.set("status", status(n));
        ArrayNode artifacts = j.putArray("artifacts");
        for (JsonNode a : n.path("artifacts")) {
            artifacts
                    .addObject()
                    .put("artifactId", a.path("artifactId").asText())
                    .set("parts", parts(a.path("parts")));
        }
        j.set("history", history(n.path("history"), historyLength));
        return j;
    }

    /** An empty task object: 0.3 starts it with {@code "kind": "task"}, 1.0 has no kinds. */
    abstract ObjectNode newTask();

    abstract ObjectNode status(JsonNode neutralTask);

    abstract ObjectNode message(JsonNode neutral);

    abstract ArrayNode parts(JsonNode neutralParts);

    /** The result of SendMessage / message/send. */
    abstract JsonNode sendResult(ObjectNode task);

    /** The first event of a stream: the task. */
    abstract JsonNode streamTask(ObjectNode task);

    abstract JsonNode statusUpdate(A2aTask t, boolean last);

    abstract JsonNode artifactUpdate(A2aTask t, String artifactId, ArrayNode parts, boolean append, boolean lastChunk);

    /** One part of a client's message in neutral form ({@code {text}} or {@code {data}}), or null for others. */
    abstract JsonNode neutralPart(JsonNode part);

    /** Whether the client asked not to wait for the task to end. */
    abstract boolean immediate(JsonNode params);

    /** A client's message in neutral form: {@code {messageId, role: user, parts, contextId?, taskId?, metadata?}}. */
    ObjectNode neutralMessage(JsonNode m) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put(
                "messageId",
                m.path("messageId").asText(java.util.UUID.randomUUID().toString()));
        out.put("role", "user");
        ArrayNode parts = out.putArray("parts");
        for (JsonNode p : m.path("parts")) {
            JsonNode n = neutralPart(p);
            if (n != null) {
                parts.add(n);
            }
        }
        if (m.path("contextId").isTextual()) {
            out.put("contextId", m.get("contextId").asText());
        }
        if (m.path("metadata").isObject()) {
            out.set("metadata", m.get("metadata"));
        }
        return out;
    }

    static ObjectNode agentText(String text) {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("messageId", java.util.UUID.randomUUID().toString());
        m.put("role", "agent");
        m.putArray("parts").addObject().put("text", text);
        return m;
    }

    ArrayNode history(JsonNode neutral, int historyLength) {
        ArrayNode out = Json.mapper().createArrayNode();
        int skip = historyLength < 0 ? 0 : Math.max(0, neutral.size() - historyLength);
        for (int i = skip; i < neutral.size(); i++) {
            out.add(message(neutral.get(i)));
        }
        return out;
    }
}
