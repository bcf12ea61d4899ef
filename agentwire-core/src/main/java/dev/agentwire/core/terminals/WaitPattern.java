package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import dev.agentwire.core.HubException;
import dev.agentwire.core.patterns.BudgetedText;
import dev.agentwire.core.patterns.ClientPatterns;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.util.Optional;

/**
 * A regular expression from a client ({@code terminals/wait}), compiled with RE2/J: a match takes time linear in
 * the text whatever the pattern (no catastrophic backtracking), and reads the text through a
 * {@link BudgetedText}, so it also ends at a deadline. What needs a backtracking engine (backreferences,
 * lookaround) is refused with {@code -32602 invalid_pattern}, naming the pattern and why.
 *
 * <p>It is compiled with {@link Pattern#MULTILINE}, since a person reads a screen line by line: {@code ^} and
 * {@code $} anchor lines (the screen's lines are joined by {@code \n}), so {@code ^100$} matches the line
 * {@code 100} and not {@code 1000}; {@code \A} and {@code \z} anchor the whole text, and {@code (?-m)} turns
 * the flag off.
 *
 * <p>The pattern's size is limited before it is compiled ({@link ClientPatterns}). Immutable and thread safe.
 */
final class WaitPattern {

    private final String source;
    private final Pattern pattern;

    private WaitPattern(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
    }

    /** Compiles {@code source}, or throws {@code -32602 invalid_pattern} saying why not. */
    static WaitPattern compile(String source) {
        try {
            return new WaitPattern(source, ClientPatterns.compile(source, Pattern.MULTILINE));
        } catch (ClientPatterns.Refused e) {
            throw invalid(source, e.getMessage(), e.error());
        }
    }

    private static HubException invalid(String source, String why, String error) {
        var data = HubException.reasonData("invalid_pattern");
        data.put("pattern", source.length() > 200 ? source.substring(0, 200) + "…" : source);
        data.put("error", error);
        String shown = source.length() > 200 ? source.substring(0, 200) + "…" : source;
        return HubException.withData(ErrorCode.INVALID_PARAMS, "pattern " + shown + " is not taken: " + why, data);
    }

    String source() {
        return source;
    }

    /**
     * The first match in {@code text} as {@code {matched, where, match, groups}}, or empty.
     *
     * @throws BudgetedText.Stopped when the text's budget ran out first
     */
    Optional<ObjectNode> find(BudgetedText text, String where) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("matched", true);
        r.put("where", where);
        r.put("match", m.group());
        ArrayNode groups = r.putArray("groups");
        for (int i = 1; i <= m.groupCount(); i++) {
            groups.add(m.group(i));
        }
        return Optional.of(r);
    }
}
