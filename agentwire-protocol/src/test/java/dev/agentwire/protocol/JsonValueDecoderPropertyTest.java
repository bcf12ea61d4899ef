package dev.agentwire.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

/**
 * {@link JsonValueDecoder} on random streams: JSON values (nested, with strings full of brackets, quotes,
 * escapes and non-ASCII) written back to back with random whitespace or none, cut into random reads. Every value
 * comes out whole, in order, and parses to what was written, however the stream was cut.
 */
class JsonValueDecoderPropertyTest {

    private static final String[] SEPARATORS = {"", "", "\n", " ", "\r\n", "\t\n  "};
    private static final String[] PIECES = {"a", "{", "}", "[", "]", "\"", "\\", "é", "💡", " ", "\n", ":", ","};

    @Property(tries = 2000, shrinking = ShrinkingMode.OFF)
    void valuesComeOutWholeWhereverTheReadsEnd(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        List<JsonNode> values = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
            JsonNode v = r.nextBoolean() ? object(r, 0) : array(r, 0);
            values.add(v);
            String text = r.nextBoolean() ? v.toString() : v.toPrettyString();
            stream.write(text.getBytes(UTF_8));
            stream.write(SEPARATORS[r.nextInt(SEPARATORS.length)].getBytes(UTF_8));
        }
        byte[] bytes = stream.toByteArray();
        List<Frame> out = new ArrayList<>();
        JsonValueDecoder d = new JsonValueDecoder(bytes.length);
        ByteBuffer acc = ByteBuffer.allocate(bytes.length);
        acc.flip();
        for (int i = 0; i < bytes.length; ) {
            int len = Math.min(bytes.length - i, 1 + r.nextInt(r.nextBoolean() ? 4 : 64));
            acc.compact();
            acc.put(bytes, i, len);
            acc.flip();
            d.decode(acc, out::add);
            i += len;
        }
        d.finish(acc, out::add);
        assertThat(out).hasSameSizeAs(values);
        for (int i = 0; i < values.size(); i++) {
            assertThat(Json.mapper().readTree(out.get(i).payload())).isEqualTo(values.get(i));
        }
    }

    private static ObjectNode object(Random r, int depth) {
        ObjectNode o = Json.mapper().createObjectNode();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            o.set(text(r) + i, value(r, depth + 1));
        }
        return o;
    }

    private static ArrayNode array(Random r, int depth) {
        ArrayNode a = Json.mapper().createArrayNode();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            a.add(value(r, depth + 1));
        }
        return a;
    }

    private static JsonNode value(Random r, int depth) {
        int kind = r.nextInt(depth > 3 ? 3 : 5);
        return switch (kind) {
            case 0 -> Json.mapper().getNodeFactory().textNode(text(r));
            case 1 -> Json.mapper().getNodeFactory().numberNode((long) r.nextInt());
            case 2 -> Json.mapper().getNodeFactory().booleanNode(r.nextBoolean());
            case 3 -> object(r, depth);
            default -> array(r, depth);
        };
    }

    private static String text(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[r.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }
}
