package dev.agentwire.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.ByteArrayOutputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one JSON text into a {@link Parsed} message and a {@link Message} back into JSON.
 *
 * <p>Stateless and thread safe. Parsing never throws for bad input: malformed JSON, invalid UTF-8 (checked
 * strictly, before Jackson) and numbers beyond a 64-bit float become {@code -32700}, valid JSON that is not a
 * JSON-RPC message becomes {@code -32600}.
 */
public final class MessageCodec {

    private static final ObjectMapper MAPPER = Json.mapper();

    /** Reads messages, refusing numbers a 64-bit float cannot hold (they would be relayed as "Infinity"). */
    private static final ObjectReader READER = MAPPER.reader().with(new FiniteNumbers());

    private MessageCodec() {}

    /** Parses the UTF-8 JSON text in {@code bytes[offset, offset+length)}. */
    public static Parsed parse(byte[] bytes, int offset, int length) {
        Parsed.Invalid bad = checkUtf8(bytes, offset, length);
        return bad != null ? bad : parseUtf8(bytes, offset, length);
    }

    /**
     * Parses like {@link #parse(byte[], int, int)}, except that a plain response keeps its {@code result} as the
     * text it came in ({@link RawJson}) instead of a tree: the hub relays a provider's result to its caller and
     * never reads it, so it is checked and passed on, not parsed and written again. Every other message, and
     * every error, comes out exactly as {@code parse} gives it. The result shares {@code bytes}.
     */
    public static Parsed parseKeepingResults(byte[] bytes, int offset, int length) {
        Parsed.Invalid bad = checkUtf8(bytes, offset, length);
        if (bad != null) {
            return bad;
        }
        Message.Response response = RawResponses.read(bytes, offset, length);
        return response != null ? new Parsed.Valid(response) : parseUtf8(bytes, offset, length);
    }

    /** {@link #parseKeepingResults(byte[], int, int)} of a whole byte array. */
    public static Parsed parseKeepingResults(byte[] bytes) {
        return parseKeepingResults(bytes, 0, bytes.length);
    }

    /** Jackson accepts overlong forms and surrogates, and guesses UTF-16 or UTF-32 from NUL bytes: checked first. */
    private static Parsed.Invalid checkUtf8(byte[] bytes, int offset, int length) {
        Utf8.Problem problem = Utf8.check(bytes, offset, length);
        if (problem == null) {
            return null;
        }
        return problem.what().startsWith("a NUL")
                ? parseError("malformed JSON: " + problem.what() + " at byte " + problem.index(), "malformed_json")
                : parseError("invalid UTF-8 at byte " + problem.index() + ": " + problem.what(), "invalid_utf8");
    }

    /** Parses text that {@link #checkUtf8} passed. */
    private static Parsed parseUtf8(byte[] bytes, int offset, int length) {
        JsonNode root;
        try {
            root = READER.readTree(bytes, offset, length);
        } catch (FiniteNumbers.OutOfRange e) {
            return parseError("number out of range: " + e.getMessage(), "number_out_of_range");
        } catch (CharConversionException e) {
            return parseError("invalid UTF-8: " + Text.firstLine(e.getMessage()), "invalid_utf8");
        } catch (JsonParseException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.contains("UTF-8")) {
                return parseError("invalid UTF-8: " + Text.firstLine(m), "invalid_utf8");
            }
            return parseError("malformed JSON: " + Text.firstLine(m), "malformed_json");
        } catch (IOException e) {
            return parseError("malformed JSON: " + Text.firstLine(e.getMessage()), "malformed_json");
        }
        if (root == null || root.isMissingNode()) {
            return parseError("empty message: expected a JSON object or array", "empty");
        }
        if (root.isArray()) {
            if (root.isEmpty()) {
                return invalid(Id.NULL, "empty batch: a batch array needs at least one message");
            }
            List<Parsed> entries = new ArrayList<>(root.size());
            for (JsonNode element : root) {
                entries.add(toMessage(element));
            }
            return new Parsed.Batch(entries);
        }
        return toMessage(root);
    }

    /** Parses a whole byte array. */
    public static Parsed parse(byte[] bytes) {
        return parse(bytes, 0, bytes.length);
    }

    /** Interprets an already-parsed JSON value as one JSON-RPC message. */
    public static Parsed toMessage(JsonNode node) {
        if (!node.isObject()) {
            return invalid(Id.NULL, "expected a JSON-RPC object, got " + describe(node.getNodeType()));
        }
        JsonNode idNode = node.get("id");
        Id id;
        if (idNode == null) {
            id = null;
        } else if (idNode.isTextual()) {
            id = Id.of(idNode.textValue());
        } else if (idNode.isIntegralNumber() && idNode.canConvertToLong()) {
            id = Id.of(idNode.longValue());
        } else if (idNode.isNull()) {
            id = Id.NULL;
        } else {
            return invalid(Id.NULL, "\"id\" must be a string or an integer, got " + describe(idNode.getNodeType()));
        }
        Id replyId = id == null ? Id.NULL : id;
        JsonNode version = node.get("jsonrpc");
        if (version == null || !version.isTextual() || !"2.0".equals(version.textValue())) {
            return invalid(replyId, "\"jsonrpc\" must be \"2.0\"");
        }
        JsonNode method = node.get("method");
        if (method != null) {
            if (!method.isTextual() || method.textValue().isEmpty()) {
                return invalid(replyId, "\"method\" must be a non-empty string");
            }
            JsonNode params = node.get("params");
            if (params != null && !params.isObject() && !params.isArray()) {
                return invalid(replyId, "\"params\" must be an object or an array");
            }
            if (id == null) {
                return new Parsed.Valid(new Message.Notification(method.textValue(), params));
            }
            if (id instanceof Id.Null) {
                return invalid(Id.NULL, "a request's \"id\" must not be null");
            }
            return new Parsed.Valid(new Message.Request(id, method.textValue(), params));
        }
        JsonNode result = node.get("result");
        JsonNode error = node.get("error");
        if (id == null) {
            return invalid(Id.NULL, "a message needs \"method\" (request) or \"id\" (response)");
        }
        if (result != null && error == null) {
            return new Parsed.Valid(new Message.Response(id, result));
        }
        if (error != null && result == null) {
            JsonNode code = error.get("code");
            JsonNode message = error.get("message");
            if (!error.isObject()
                    || code == null
                    || !code.isIntegralNumber()
                    || !code.canConvertToInt()
                    || message == null
                    || !message.isTextual()) {
                return invalid(
                        replyId, "\"error\" must be an object with an integer \"code\" and a string \"message\"");
            }
            return new Parsed.Valid(new Message.ErrorResponse(
                    id, new RpcError(code.intValue(), message.textValue(), error.get("data"))));
        }
        return invalid(replyId, "a response needs exactly one of \"result\" and \"error\"");
    }

    /** Encodes a message as compact UTF-8 JSON (no trailing newline). */
    public static byte[] encode(Message message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        write(message, out);
        return out.toByteArray();
    }

    /** Encodes a batch of messages as a JSON array. */
    public static byte[] encodeBatch(List<? extends Message> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 * messages.size());
        writeBatch(messages, out);
        return out.toByteArray();
    }

    /** Writes a message as compact UTF-8 JSON to {@code out}. */
    public static void write(Message message, OutputStream out) {
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            writeMessage(message, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a batch of messages as a JSON array to {@code out}. */
    public static void writeBatch(List<? extends Message> messages, OutputStream out) {
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (Message m : messages) {
                writeMessage(m, g);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeMessage(Message message, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("jsonrpc", "2.0");
        if (message instanceof Message.Request r) {
            writeId(r.id(), g);
            g.writeStringField("method", r.method());
            writeParams(r.params(), g);
        } else if (message instanceof Message.Notification n) {
            g.writeStringField("method", n.method());
            writeParams(n.params(), g);
        } else if (message instanceof Message.Response r) {
            writeId(r.id(), g);
            g.writeFieldName("result");
            MAPPER.writeTree(g, r.result());
        } else if (message instanceof Message.ErrorResponse e) {
            writeId(e.id(), g);
            g.writeObjectFieldStart("error");
            g.writeNumberField("code", e.error().code());
            g.writeStringField("message", e.error().message());
            if (!e.error().data().isMissingNode()) {
                g.writeFieldName("data");
                MAPPER.writeTree(g, e.error().data());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeId(Id id, JsonGenerator g) throws IOException {
        g.writeFieldName("id");
        if (id instanceof Id.Str s) {
            g.writeString(s.value());
        } else if (id instanceof Id.Num n) {
            g.writeNumber(n.value());
        } else {
            g.writeNull();
        }
    }

    private static void writeParams(JsonNode params, JsonGenerator g) throws IOException {
        if (!params.isMissingNode()) {
            g.writeFieldName("params");
            MAPPER.writeTree(g, params);
        }
    }

    private static Parsed.Invalid parseError(String message, String reason) {
        return new Parsed.Invalid(Id.NULL, RpcError.of(ErrorCode.PARSE_ERROR, message, reason));
    }

    private static Parsed invalid(Id id, String message) {
        return new Parsed.Invalid(id, RpcError.of(ErrorCode.INVALID_REQUEST, message, "invalid_request"));
    }

    private static String describe(JsonNodeType type) {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }
}
