package dev.agentwire.core.calls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.util.Optional;

/**
 * One recorded call, as the log keeps it and {@code calls/list} shows it.
 *
 * @param id the log's number for it, growing; 0 until stored
 * @param at when it started, epoch milliseconds
 * @param kind {@code tool} or {@code service}
 * @param session the caller's session id
 * @param caller the caller's connection name, or its identity when it gave none
 * @param identity who the caller's credential says it is ({@code uid:N}, a token's subject)
 * @param target the tool's name, or {@code service/action}
 * @param arguments the arguments with secret-looking values redacted (and cut short past the size cap)
 * @param redacted whether any value was redacted
 * @param truncated whether the arguments were cut short
 * @param durationMs how long the call took
 * @param resultBytes the size of the result's JSON text (0 for an error)
 * @param resultDigest the SHA-256 of the result's canonical JSON ({@link ResultDigest}); empty for an error
 * @param error the JSON-RPC error it ended with; empty when it answered
 */
public record CallRecord(
        long id,
        long at,
        String kind,
        String session,
        String caller,
        String identity,
        String target,
        JsonNode arguments,
        boolean redacted,
        boolean truncated,
        long durationMs,
        long resultBytes,
        Optional<String> resultDigest,
        Optional<Failure> error) {

    /** A call's error: its JSON-RPC code and message. */
    public record Failure(int code, String message) {}

    public static final String TOOL = "tool";
    public static final String SERVICE = "service";

    /** The same record under {@code newId}. */
    public CallRecord withId(long newId) {
        return new CallRecord(
                newId,
                at,
                kind,
                session,
                caller,
                identity,
                target,
                arguments,
                redacted,
                truncated,
                durationMs,
                resultBytes,
                resultDigest,
                error);
    }

    /** The wire form ({@code calls/list}, the {@code calls/recorded} event). */
    public ObjectNode toJson() {
        ObjectNode j = Json.mapper().createObjectNode();
        j.put("id", id);
        j.put("at", at);
        j.put("kind", kind);
        j.put("session", session);
        j.put("caller", caller);
        j.put("identity", identity);
        j.put("target", target);
        j.set("arguments", arguments);
        j.put("redacted", redacted);
        j.put("truncated", truncated);
        j.put("durationMs", durationMs);
        j.put("resultBytes", resultBytes);
        if (resultDigest.isPresent()) {
            j.put("resultDigest", resultDigest.get());
        } else {
            j.putNull("resultDigest");
        }
        if (error.isPresent()) {
            j.putObject("error")
                    .put("code", error.get().code())
                    .put("message", error.get().message());
        } else {
            j.putNull("error");
        }
        return j;
    }
}
