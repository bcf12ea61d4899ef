package dev.agentwire.protocol.fuzz;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code docs/PROTOCOL.md} (sections 1 and 6) says the hub answers to one JSON text, worked out apart from
 * {@link dev.agentwire.protocol.MessageCodec}: the bytes are decoded as strict UTF-8 first (RFC 8259: JSON on
 * the wire is UTF-8; a leading byte order mark may be ignored), then parsed from characters (a number beyond
 * a 64-bit float is refused: JSON has no infinity to relay it as), then read as JSON-RPC 2.0.
 */
public final class SpecOracle {

    private SpecOracle() {}

    /** The answer a JSON text gets. */
    public sealed interface Expected {}

    /** A request: answered by a result or an error with this id. */
    public record Answered(Id id) implements Expected {}

    /** A notification, or a response to a request the hub sent: no answer. */
    public record Silent() implements Expected {}

    /** Answered by this error code with this id. */
    public record Error(int code, Id id) implements Expected {}

    /** A batch: one entry per element, answered together, leaving out the silent ones. */
    public record Batch(List<Expected> entries) implements Expected {}

    /** The answer to {@code text}. */
    public static Expected expect(byte[] text) {
        String chars;
        try {
            chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(text))
                    .toString();
        } catch (CharacterCodingException e) {
            return new Error(-32700, Id.NULL);
        }
        if (chars.startsWith("\uFEFF")) {
            chars = chars.substring(1);
        }
        JsonNode root;
        try (JsonParser p = Json.mapper().createParser(chars)) {
            root = Json.mapper().readTree(p);
            if (root == null || root.isMissingNode() || p.nextToken() != null || hasInfinity(root)) {
                // empty, trailing garbage after the value, or a number no 64-bit float holds
                return new Error(-32700, Id.NULL);
            }
        } catch (IOException e) {
            return new Error(-32700, Id.NULL);
        }
        if (root.isArray()) {
            if (root.isEmpty()) {
                return new Error(-32600, Id.NULL);
            }
            List<Expected> entries = new ArrayList<>();
            root.forEach(e -> entries.add(message(e)));
            return new Batch(entries);
        }
        return message(root);
    }

    private static boolean hasInfinity(JsonNode node) {
        if (node.isDouble()) {
            return Double.isInfinite(node.doubleValue());
        }
        for (JsonNode child : node) {
            if (hasInfinity(child)) {
                return true;
            }
        }
        return false;
    }

    private static Expected message(JsonNode m) {
        if (!m.isObject()) {
            return new Error(-32600, Id.NULL);
        }
        JsonNode id = m.get("id");
        Id replyId;
        if (id == null || id.isNull()) {
            replyId = Id.NULL;
        } else if (id.isTextual()) {
            replyId = Id.of(id.textValue());
        } else if (id.isIntegralNumber() && id.canConvertToLong()) {
            replyId = Id.of(id.longValue());
        } else {
            return new Error(-32600, Id.NULL); // a fractional id, or one too large to echo, or not a scalar
        }
        JsonNode version = m.get("jsonrpc");
        if (version == null || !"2.0".equals(version.textValue())) {
            return new Error(-32600, replyId);
        }
        JsonNode method = m.get("method");
        if (method != null) {
            JsonNode params = m.get("params");
            if (!method.isTextual()
                    || method.textValue().isEmpty()
                    || (params != null && !params.isObject() && !params.isArray())) {
                return new Error(-32600, replyId);
            }
            if (id == null) {
                return new Silent();
            }
            return id.isNull() ? new Error(-32600, Id.NULL) : new Answered(replyId);
        }
        if (id == null) {
            return new Error(-32600, Id.NULL);
        }
        JsonNode result = m.get("result");
        JsonNode error = m.get("error");
        if ((result == null) == (error == null)) {
            return new Error(-32600, replyId);
        }
        if (error != null) {
            JsonNode code = error.get("code");
            JsonNode message = error.get("message");
            boolean wellFormed = error.isObject()
                    && code != null
                    && code.isIntegralNumber()
                    && code.canConvertToInt()
                    && message != null
                    && message.isTextual();
            if (!wellFormed) {
                return new Error(-32600, replyId);
            }
        }
        return new Silent();
    }
}
