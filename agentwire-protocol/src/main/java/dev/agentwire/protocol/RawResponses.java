package dev.agentwire.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a response in one pass of Jackson's tokenizer without building a tree: {@code jsonrpc}, an integer
 * {@code id}, and a {@code result} that is an object or an array, kept as {@link RawJson}. Anything else (a
 * request, an error response, a scalar result, another member, a line break inside the result, bad JSON) gives
 * null, and {@link MessageCodec#parse} decides, so that every answer that is not a plain response is the same as
 * before. The tokenizer still checks the JSON, duplicate members (the mapper's strict detection) and the nesting
 * depth; numbers are checked as {@link FiniteNumbers} does. Stateless and thread safe.
 */
final class RawResponses {

    private static final JsonFactory FACTORY = Json.mapper().getFactory();

    private RawResponses() {}

    /** The response in {@code bytes[offset, offset+length)}, or null. The bytes must be valid UTF-8. */
    static Message.Response read(byte[] bytes, int offset, int length) {
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            boolean version = false;
            Id id = null;
            RawJson result = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("jsonrpc") && value == JsonToken.VALUE_STRING && "2.0".equals(p.getText())) {
                    version = true;
                } else if (name.equals("id")
                        && value == JsonToken.VALUE_NUMBER_INT
                        && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    id = Id.of(p.getLongValue());
                } else if (name.equals("result")
                        && (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY)) {
                    result = container(p, bytes, offset);
                    if (result == null) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null || !version || id == null || result == null) {
                return null;
            }
            return new Message.Response(id, result);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The object or array the parser is at the start of, as raw text; null if it holds a line break, a float beyond a double or an integer beyond a long. */
    private static RawJson container(JsonParser p, byte[] bytes, int offset) throws IOException {
        int start = offset + (int) p.currentTokenLocation().getByteOffset();
        boolean object = p.currentToken() == JsonToken.START_OBJECT;
        List<RawJson.Member> members = new ArrayList<>(object ? 4 : 0);
        String name = null;
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            if (depth == 1 && object) {
                if (t == JsonToken.FIELD_NAME) {
                    name = p.currentName();
                } else if (t != JsonToken.END_OBJECT) {
                    members.add(new RawJson.Member(name, t));
                }
            }
            switch (t) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_NUMBER_FLOAT -> {
                    if (!Double.isFinite(p.getDoubleValue())) {
                        return null;
                    }
                }
                case VALUE_NUMBER_INT -> {
                    // The full parse reads integers as longs and refuses larger ones: so must a kept result.
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        return null;
                    }
                }
                default -> {}
            }
        }
        int end = offset + (int) p.currentLocation().getByteOffset();
        for (int i = start; i < end; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                return null;
            }
        }
        return new RawJson(bytes, start, end - start, List.copyOf(members));
    }
}
