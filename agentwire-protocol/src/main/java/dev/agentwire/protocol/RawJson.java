package dev.agentwire.protocol;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One JSON object or array kept as the UTF-8 text it arrived in and written out again byte for byte, so that the
 * hub relays a provider's result without building a tree of it and writing the tree back
 * ({@link MessageCodec#parseKeepingResults}). The text is valid JSON (checked as it was read), holds no line
 * break, and no number beyond a 64-bit float. As a {@link JsonNode} it is a {@link POJONode} that any Jackson
 * generator writes raw; code that has to look inside asks for {@link #tree()}, or for an object's top-level
 * fields by {@link #field}. Immutable; shares the array it was read from, which must not change.
 */
public final class RawJson extends POJONode {

    private static final long serialVersionUID = 1L;

    /** An object's top-level member as it was read: its name and the token its value starts with. */
    public record Member(String name, JsonToken kind) {}

    private final transient Utf8Text text;
    private final transient List<Member> members;

    RawJson(byte[] bytes, int offset, int length, List<Member> members) {
        this(new Utf8Text(bytes, offset, length), members);
    }

    private RawJson(Utf8Text text, List<Member> members) {
        super(new RawValue(text));
        this.text = text;
        this.members = members;
    }

    /** The token the top-level member {@code name} starts with (the last, if it came twice), if this is an object that has it. */
    public Optional<JsonToken> field(String name) {
        for (int i = members.size() - 1; i >= 0; i--) {
            if (members.get(i).name().equals(name)) {
                return Optional.of(members.get(i).kind());
            }
        }
        return Optional.empty();
    }

    /** Whether this is an object (otherwise an array). */
    public boolean isJsonObject() {
        return text.bytes[text.offset] == '{';
    }

    /** This object with {@code "name": value} as its first member. Only for a non-empty object without {@code name}. */
    public RawJson withFirstMember(String name, boolean value) {
        if (!isJsonObject() || members.isEmpty() || field(name).isPresent()) {
            throw new IllegalStateException("withFirstMember needs a non-empty object without \"" + name + "\"");
        }
        byte[] head = ("{\"" + new String(JsonStringEncoder.getInstance().quoteAsString(name)) + "\":" + value + ",")
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(head, head.length + text.length - 1);
        System.arraycopy(text.bytes, text.offset + 1, out, head.length, text.length - 1);
        List<Member> more = new java.util.ArrayList<>(members.size() + 1);
        more.add(new Member(name, value ? JsonToken.VALUE_TRUE : JsonToken.VALUE_FALSE));
        more.addAll(members);
        return new RawJson(new Utf8Text(out, 0, out.length), List.copyOf(more));
    }

    /** The value as a tree (parsed now, each time). */
    public JsonNode tree() {
        try {
            return Json.mapper().readTree(text.bytes, text.offset, text.length);
        } catch (IOException e) {
            throw new UncheckedIOException("a RawJson holds text that was valid when read", e);
        }
    }

    /** {@code node} as a tree: itself, or a {@link RawJson}'s {@link #tree()}. */
    public static JsonNode tree(JsonNode node) {
        return node instanceof RawJson raw ? raw.tree() : node;
    }

    /** The text's length in bytes. */
    public int sizeBytes() {
        return text.length;
    }

    /** The text. */
    @Override
    public String asText() {
        return text.getValue();
    }

    @Override
    public String toString() {
        return text.getValue();
    }

    /** A slice of a byte array as raw JSON text for a Jackson generator: written as it is, never quoted. */
    private static final class Utf8Text implements SerializableString {
        private final byte[] bytes;
        private final int offset;
        private final int length;
        private String value;

        Utf8Text(byte[] bytes, int offset, int length) {
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public String getValue() {
            String v = value;
            if (v == null) {
                v = new String(bytes, offset, length, StandardCharsets.UTF_8);
                value = v;
            }
            return v;
        }

        @Override
        public int charLength() {
            return getValue().length();
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return Arrays.copyOfRange(bytes, offset, offset + length);
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int at) {
            if (at + length > buffer.length) {
                return -1;
            }
            System.arraycopy(bytes, offset, buffer, at, length);
            return length;
        }

        @Override
        public int appendUnquoted(char[] buffer, int at) {
            String v = getValue();
            if (at + v.length() > buffer.length) {
                return -1;
            }
            v.getChars(0, v.length(), buffer, at);
            return v.length();
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(bytes, offset, length);
            return length;
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer buffer) {
            if (buffer.remaining() < length) {
                return -1;
            }
            buffer.put(bytes, offset, length);
            return length;
        }

        // Quoting raw JSON as a string never happens when it is written as a value; given for completeness.

        @Override
        public char[] asQuotedChars() {
            return JsonStringEncoder.getInstance().quoteAsString(getValue());
        }

        @Override
        public byte[] asQuotedUTF8() {
            return JsonStringEncoder.getInstance().quoteAsUTF8(getValue());
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int at) {
            byte[] q = asQuotedUTF8();
            if (at + q.length > buffer.length) {
                return -1;
            }
            System.arraycopy(q, 0, buffer, at, q.length);
            return q.length;
        }

        @Override
        public int appendQuoted(char[] buffer, int at) {
            char[] q = asQuotedChars();
            if (at + q.length > buffer.length) {
                return -1;
            }
            System.arraycopy(q, 0, buffer, at, q.length);
            return q.length;
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) throws IOException {
            byte[] q = asQuotedUTF8();
            out.write(q);
            return q.length;
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) {
            byte[] q = asQuotedUTF8();
            if (buffer.remaining() < q.length) {
                return -1;
            }
            buffer.put(q);
            return q.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Utf8Text t
                    && Arrays.equals(bytes, offset, offset + length, t.bytes, t.offset, t.offset + t.length);
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (int i = offset; i < offset + length; i++) {
                h = 31 * h + bytes[i];
            }
            return h;
        }
    }
}
