package dev.agentwire.core.calls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What of a call's arguments the log keeps: a copy in which the value of every key the rule matches (at any depth,
 * through objects and arrays) is {@value #MARK}, cut to a marker object when its JSON is longer than the cap.
 * Immutable; thread safe.
 */
public final class Redactor {

    /** What a redacted value becomes. */
    public static final String MARK = "[redacted]";

    /** The key under which arguments cut short keep their size and their first characters. */
    public static final String TRUNCATED = "dev.agentwire/truncated";

    /** The default rule: key names that usually hold secrets. */
    public static final String DEFAULT_RULE =
            "(?i)(pass(word)?|secret|token|api[_-]?key|auth(orization)?|cookie|credential|private[_-]?key)";

    /** Deeper than this, a value is redacted whole: the log does not walk unbounded nesting. */
    private static final int MAX_DEPTH = 64;

    /** The arguments as kept, and whether they were redacted or cut. */
    public record Kept(JsonNode arguments, boolean redacted, boolean truncated) {}

    private final Pattern rule;
    private final int maxBytes;

    /**
     * @param rule a regular expression found in a key's name (not matched whole) marks its value secret; "" marks
     *     none
     * @param maxBytes the largest JSON text of redacted arguments kept whole
     * @throws IllegalArgumentException naming the rule when it is not a regular expression
     */
    public Redactor(String rule, int maxBytes) {
        try {
            this.rule = rule.isEmpty() ? null : Pattern.compile(rule);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    "calls.redact is not a regular expression: " + e.getDescription() + " in " + rule, e);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("calls.maxArgumentBytes must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** What the log keeps of {@code arguments}; the given tree is not changed. */
    public Kept keep(JsonNode arguments) {
        boolean[] redacted = {false};
        JsonNode copy = copy(arguments, 0, redacted);
        String text = copy.toString();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return new Kept(copy, redacted[0], false);
        }
        ObjectNode cut = Json.mapper().createObjectNode();
        ObjectNode mark = cut.putObject(TRUNCATED);
        mark.put("bytes", bytes.length);
        mark.put("head", head(text, maxBytes));
        return new Kept(cut, redacted[0], true);
    }

    private JsonNode copy(JsonNode n, int depth, boolean[] redacted) {
        if (depth > MAX_DEPTH && n.isContainerNode()) {
            redacted[0] = true;
            return Json.mapper().getNodeFactory().textNode(MARK);
        }
        if (n.isObject()) {
            ObjectNode out = Json.mapper().createObjectNode();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (rule != null && rule.matcher(e.getKey()).find()) {
                    out.put(e.getKey(), MARK);
                    redacted[0] = true;
                } else {
                    out.set(e.getKey(), copy(e.getValue(), depth + 1, redacted));
                }
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = Json.mapper().createArrayNode();
            for (JsonNode item : n) {
                out.add(copy(item, depth + 1, redacted));
            }
            return out;
        }
        return n;
    }

    /** The longest start of {@code text} whose UTF-8 fits in {@code maxBytes}. */
    private static String head(String text, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > maxBytes) {
                break;
            }
            bytes += len;
            i += Character.charCount(cp);
        }
        return text.substring(0, i);
    }
}
