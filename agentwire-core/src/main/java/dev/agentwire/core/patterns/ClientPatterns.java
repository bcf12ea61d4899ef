package dev.agentwire.core.patterns;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Regular expressions that come from clients (a tool's JSON Schema {@code pattern}, {@code terminals/wait}),
 * compiled with RE2/J so that matching takes time linear in the text whatever the pattern: no catastrophic
 * backtracking. Before compiling, the pattern's size is checked: at most {@value #MAX_LENGTH} characters, and at
 * most {@value #MAX_SIZE} once counted repetitions are expanded, since RE2/J compiles {@code x{1000}} into a
 * thousand copies of {@code x} and nested counts multiply ({@code ((a{1000}){1000}){1000}} would take it longer
 * than any deadline and all the memory). What needs a backtracking engine (backreferences, lookaround) is
 * refused. Stateless.
 */
public final class ClientPatterns {

    /** The longest pattern taken, in characters. */
    public static final int MAX_LENGTH = 4096;

    /** The largest expanded size taken (about the number of instructions RE2/J compiles it to). */
    public static final long MAX_SIZE = 100_000;

    private ClientPatterns() {}

    /** Why a pattern is not taken: a sentence for people ({@link #getMessage}) and a short {@link #error}. */
    public static final class Refused extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String error;

        Refused(String why, String error) {
            super(why);
            this.error = error;
        }

        /** A short name for the problem ({@code pattern too long}, or RE2's description). */
        public String error() {
            return error;
        }
    }

    /**
     * Compiles {@code source} with RE2/J.
     *
     * @throws Refused saying why it is not taken
     */
    public static Pattern compile(String source) {
        return compile(source, 0);
    }

    /**
     * Compiles {@code source} with RE2/J and {@code flags} ({@link Pattern#MULTILINE} and the others RE2/J takes).
     *
     * @throws Refused saying why it is not taken
     */
    public static Pattern compile(String source, int flags) {
        if (source.length() > MAX_LENGTH) {
            throw new Refused(
                    "it is " + source.length() + " characters long; at most " + MAX_LENGTH + " are taken",
                    "pattern too long");
        }
        if (expandedSize(source) > MAX_SIZE) {
            throw new Refused(
                    "its counted repetitions expand it to more than " + MAX_SIZE
                            + " instructions (nested counts multiply); at most " + MAX_SIZE + " are taken",
                    "pattern too large");
        }
        try {
            return Pattern.compile(source, flags);
        } catch (PatternSyntaxException e) {
            String why = e.getMessage().replaceFirst("^error parsing regexp: ", "");
            throw new Refused(
                    why + " (patterns are RE2 syntax: no backreferences, no lookahead or lookbehind)",
                    e.getDescription());
        }
    }

    /**
     * An upper bound of the pattern's size once counted repetitions are expanded: every atom counts once for each
     * copy the repetitions around it make. It reads the pattern as RE2 does only as far as that needs (escapes,
     * classes, groups, {@code {n,m}}); where it cannot tell, it counts more, never less.
     */
    public static long expandedSize(String p) {
        long cap = MAX_SIZE + 1;
        Deque<long[]> outer = new ArrayDeque<>();
        long total = 0;
        long last = 0; // the size of the atom (or group) a repetition would apply to
        int i = 0;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '\\' && i + 1 < p.length() && p.charAt(i + 1) == 'Q') {
                int end = p.indexOf("\\E", i + 2);
                int stop = end < 0 ? p.length() : end;
                total = Math.min(cap, total + (stop - i - 2));
                last = 1;
                i = end < 0 ? p.length() : end + 2;
            } else if (c == '\\') {
                i = skipEscape(p, i);
                total = Math.min(cap, total + 1);
                last = 1;
            } else if (c == '[') {
                i = skipClass(p, i);
                total = Math.min(cap, total + 1);
                last = 1;
            } else if (c == '(') {
                outer.push(new long[] {total});
                total = 0;
                last = 0;
                i++;
            } else if (c == ')') {
                long group = total + 1;
                total = Math.min(cap, (outer.isEmpty() ? 0 : outer.pop()[0]) + group);
                last = group;
                i++;
            } else if (c == '{' && repeatEnd(p, i) > 0) {
                int end = repeatEnd(p, i);
                long copies = repeatCopies(p.substring(i + 1, end - 1));
                total = Math.min(cap, total + Math.min(cap, last * (copies - 1)));
                last = Math.min(cap, last * copies);
                i = end;
            } else {
                total = Math.min(cap, total + 1);
                last = c == '|' ? 0 : 1;
                i++;
            }
        }
        while (!outer.isEmpty()) {
            total = Math.min(cap, outer.pop()[0] + total);
        }
        return total;
    }

    /** Past an escape at {@code i}: {@code \x}, {@code \x{...}}, {@code \p{...}}, {@code \P{...}}. */
    private static int skipEscape(String p, int i) {
        if (i + 2 < p.length() && p.charAt(i + 2) == '{' && "xpP".indexOf(p.charAt(i + 1)) >= 0) {
            int close = p.indexOf('}', i + 3);
            return close < 0 ? p.length() : close + 1;
        }
        return Math.min(p.length(), i + 2);
    }

    /** Past a character class starting at {@code i} (a leading {@code ]} or {@code ^]} is a member). */
    private static int skipClass(String p, int i) {
        int j = i + 1;
        if (j < p.length() && p.charAt(j) == '^') {
            j++;
        }
        if (j < p.length() && p.charAt(j) == ']') {
            j++;
        }
        while (j < p.length()) {
            char c = p.charAt(j);
            if (c == '\\') {
                j = skipEscape(p, j);
            } else if (c == '[' && j + 1 < p.length() && p.charAt(j + 1) == ':') {
                int close = p.indexOf(":]", j + 2);
                j = close < 0 ? j + 1 : close + 2;
            } else if (c == ']') {
                return j + 1;
            } else {
                j++;
            }
        }
        return p.length();
    }

    /** The end (exclusive) of a repetition {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code i}, or -1. */
    private static int repeatEnd(String p, int i) {
        int j = i + 1;
        int digits = 0;
        while (j < p.length() && isDigit(p.charAt(j))) {
            j++;
            digits++;
        }
        if (digits == 0 || j >= p.length()) {
            return -1;
        }
        if (p.charAt(j) == ',') {
            j++;
            while (j < p.length() && isDigit(p.charAt(j))) {
                j++;
            }
        }
        return j < p.length() && p.charAt(j) == '}' ? j + 1 : -1;
    }

    /** How many copies a repetition's body makes: its largest count, plus one for an open {@code {n,}}. */
    private static long repeatCopies(String body) {
        int comma = body.indexOf(',');
        String min = comma < 0 ? body : body.substring(0, comma);
        String max = comma < 0 ? body : body.substring(comma + 1);
        long n = count(min);
        return Math.max(1, max.isEmpty() ? n + 1 : Math.max(n, count(max)));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static long count(String digits) {
        return digits.length() > 7 ? MAX_SIZE + 1 : Long.parseLong(digits);
    }
}
