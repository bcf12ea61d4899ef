package dev.agentwire.core.calls;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The SHA-256 of a result's canonical JSON: object keys sorted, no spaces, numbers and strings as Jackson writes
 * them. The log stores it with each call; {@code aw replay} computes it for the answer it gets now, so that two
 * answers compare equal exactly when their JSON does, whatever the order of their keys.
 */
public final class ResultDigest {

    private ResultDigest() {}

    /** Lowercase hex SHA-256 of {@link #canonical}. */
    public static String of(JsonNode value) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest(canonical(value).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** {@code value} as JSON text with every object's keys in sorted order. */
    public static String canonical(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(JsonNode value, StringBuilder out) {
        // A result relayed as the text it came in is digested as the tree it stands for.
        JsonNode n = dev.agentwire.protocol.RawJson.tree(value);
        if (n.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(n.properties());
            fields.sort(Map.Entry.comparingByKey());
            out.append('{');
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(com.fasterxml.jackson.databind.node.TextNode.valueOf(
                        fields.get(i).getKey()));
                out.append(':');
                write(fields.get(i).getValue(), out);
            }
            out.append('}');
        } else if (n.isArray()) {
            out.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(n.get(i), out);
            }
            out.append(']');
        } else {
            out.append(n.toString());
        }
    }
}
