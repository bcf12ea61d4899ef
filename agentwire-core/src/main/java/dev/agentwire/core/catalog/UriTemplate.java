package dev.agentwire.core.catalog;

import com.google.re2j.Pattern;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;

/**
 * A resource template's URI (RFC 6570, levels 1 and 2 for matching): {@code {var}} stands for one or more
 * characters other than {@code / ? #}, {@code {+var}} for one or more of any. Two expressions need a literal
 * between them. Matched with RE2/J, in time linear in the URI. Immutable.
 */
final class UriTemplate {

    /** The longest URI a template is matched against. */
    static final int MAX_URI = 8192;

    /** The most expressions one template may have. */
    static final int MAX_EXPRESSIONS = 16;

    private final String text;
    private final Pattern pattern;

    private UriTemplate(String text, Pattern pattern) {
        this.text = text;
        this.pattern = pattern;
    }

    /** @throws HubException {@code -32602} naming what is wrong with {@code text} */
    static UriTemplate parse(String text) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        boolean lastWasExpression = false;
        int expressions = 0;
        while (i < text.length()) {
            int open = text.indexOf('{', i);
            if (open < 0) {
                regex.append(Pattern.quote(text.substring(i)));
                break;
            }
            if (open > i) {
                regex.append(Pattern.quote(text.substring(i, open)));
                lastWasExpression = false;
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw bad(text, "a '{' without its '}'");
            }
            if (lastWasExpression) {
                throw bad(text, "two expressions with no literal between them");
            }
            String expression = text.substring(open + 1, close);
            boolean reserved = expression.startsWith("+");
            String name = reserved ? expression.substring(1) : expression;
            if (!name.matches("[A-Za-z0-9_]{1,64}")) {
                throw bad(text, "{" + expression + "}: only {name} and {+name} are supported");
            }
            regex.append(reserved ? "(.+)" : "([^/?#]+)");
            lastWasExpression = true;
            if (++expressions > MAX_EXPRESSIONS) {
                throw bad(text, "more than " + MAX_EXPRESSIONS + " expressions");
            }
            i = close + 1;
        }
        if (text.indexOf('}') >= 0 && text.replaceAll("\\{[^}]*}", "").contains("}")) {
            throw bad(text, "a '}' without its '{'");
        }
        return new UriTemplate(text, Pattern.compile(regex.toString()));
    }

    /** Whether {@code other} matches exactly the URIs this does (the same text but for its variables' names). */
    boolean sameAs(UriTemplate other) {
        return pattern.pattern().equals(other.pattern.pattern());
    }

    boolean matches(String uri) {
        return uri.length() <= MAX_URI && pattern.matcher(uri).matches();
    }

    @Override
    public String toString() {
        return text;
    }

    private static HubException bad(String text, String why) {
        return HubException.of(ErrorCode.INVALID_PARAMS, "invalid_template", "uriTemplate " + text + ": " + why);
    }
}
