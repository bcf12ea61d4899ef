package dev.agentwire.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * The orchestrator seed's envelope, spoken on {@code agents/<name>.sock}: a request
 * {@code {"id","interface","agent","action","data"}} and an answer {@code {"id","status":"success","data"}} or
 * {@code {"id","status":"error","error":{"code","message","details"}}}, to which the hub adds {@code timestamp}
 * and {@code processing_time_ms}. One JSON object per line.
 */
public final class Envelope {

    /** Fields of a request that are not its data, when the data is given inline (the seed's nc example). */
    private static final Set<String> REQUEST_FIELDS = Set.of("id", "interface", "agent", "action", "data");

    private Envelope() {}

    /** One line read on an agent socket. */
    public sealed interface Inbound permits Request, Answer, Invalid {}

    /**
     * A caller's request. {@code id} is echoed in the answer as it came (missing: {@code null}). Without a
     * {@code data} field the data is every other field ({@code {"action":"x","environment":"test"}}).
     */
    public record Request(JsonNode id, String callerInterface, String agent, String action, JsonNode data)
            implements Inbound {}

    /** An instance's answer to a request the hub sent it. */
    public record Answer(
            String id, boolean success, JsonNode data, String errorCode, String errorMessage, JsonNode details)
            implements Inbound {}

    /** A line that is neither; {@code id} if one could be read. */
    public record Invalid(JsonNode id, String message) implements Inbound {}

    /** Reads one line. */
    public static Inbound parse(byte[] line) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(line);
        } catch (IOException e) {
            return new Invalid(Json.mapper().nullNode(), "not JSON: " + Text.firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return new Invalid(Json.mapper().nullNode(), "expected a JSON object, got " + kind(root));
        }
        JsonNode id = root.has("id") ? root.get("id") : Json.mapper().nullNode();
        JsonNode status = root.get("status");
        if (status != null) {
            if (!root.path("id").isTextual() && !root.path("id").isIntegralNumber()) {
                return new Invalid(id, "an answer needs the \"id\" of the request it answers");
            }
            String answerId = root.get("id").asText();
            if ("success".equals(status.asText())) {
                return new Answer(answerId, true, root.path("data"), null, null, null);
            }
            if ("error".equals(status.asText())) {
                JsonNode error = root.path("error");
                if (!error.isObject()) {
                    return new Invalid(id, "an error answer needs \"error\": {code, message, details}");
                }
                return new Answer(
                        answerId,
                        false,
                        null,
                        error.path("code").asText("ERROR"),
                        error.path("message").asText("the service answered an error"),
                        error.path("details"));
            }
            return new Invalid(id, "status must be \"success\" or \"error\", got " + status);
        }
        JsonNode action = root.get("action");
        if (action == null || !action.isTextual() || action.textValue().isEmpty()) {
            return new Invalid(
                    id,
                    "expected a request {\"id\",\"action\",\"data\"} or an answer {\"id\",\"status\",...}; "
                            + "this line has neither \"action\" nor \"status\"");
        }
        JsonNode data = root.get("data");
        if (data == null) {
            ObjectNode inline = Json.mapper().createObjectNode();
            root.properties().forEach(e -> {
                if (!REQUEST_FIELDS.contains(e.getKey())) {
                    inline.set(e.getKey(), e.getValue());
                }
            });
            data = inline;
        }
        return new Request(
                id, root.path("interface").asText(""), root.path("agent").asText(""), action.textValue(), data);
    }

    /** What the hub sends an instance. */
    public static ObjectNode request(String id, String callerInterface, String agent, String action, JsonNode data) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", id);
        o.put("interface", callerInterface);
        o.put("agent", agent);
        o.put("action", action);
        o.set("data", data);
        return o;
    }

    /** A success answer with the hub's timestamp and the time the request took. */
    public static ObjectNode success(JsonNode id, JsonNode data, Instant at, long processingMs) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.set("id", id);
        o.put("status", "success");
        o.set("data", data);
        o.put("timestamp", at.truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("processing_time_ms", processingMs);
        return o;
    }

    /** An error answer; {@code processingMs} below zero leaves the field out (nothing was processed). */
    public static ObjectNode error(
            JsonNode id, String code, String message, JsonNode details, Instant at, long processingMs) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.set("id", id);
        o.put("status", "error");
        ObjectNode e = o.putObject("error");
        e.put("code", code);
        e.put("message", message);
        if (details != null && !details.isMissingNode() && !details.isNull()) {
            e.set("details", details);
        }
        o.put("timestamp", at.truncatedTo(ChronoUnit.SECONDS).toString());
        if (processingMs >= 0) {
            o.put("processing_time_ms", processingMs);
        }
        return o;
    }

    private static String kind(JsonNode n) {
        return n == null ? "nothing" : n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
