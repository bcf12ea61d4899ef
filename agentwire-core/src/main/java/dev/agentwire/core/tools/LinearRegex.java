package dev.agentwire.core.tools;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;

/**
 * JSON Schema patterns ({@code pattern}, {@code patternProperties}) compiled with RE2/J: matching takes time linear
 * in the input, so a pattern such as {@code ((a+)+)+b} cannot make the hub backtrack for hours. A match also stops
 * at the deadline the current thread set with {@link Deadline#within} (a check every few thousand characters read),
 * so even a linear match over a huge string ends in time. Patterns RE2/J does not support (backreferences,
 * lookaround) are refused when the schema is compiled. Thread safe.
 */
final class LinearRegex implements RegularExpressionFactory {

    static final LinearRegex INSTANCE = new LinearRegex();

    private LinearRegex() {}

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new Unsupported("pattern " + regex + " is not supported (patterns run on RE2, which has no"
                    + " backreferences or lookaround): " + e.getDescription());
        }
        // JSON Schema patterns are not anchored: "pattern": "a" matches "cat".
        return value -> p.matcher(Deadline.guard(value)).find();
    }

    /** A per-thread time limit for the matches run while validating one call's arguments. */
    static final class Deadline {

        private static final ThreadLocal<long[]> CURRENT = new ThreadLocal<>();

        private Deadline() {}

        /** Runs {@code body} with matches limited to end before {@code budgetNanos} from now. */
        static void within(long budgetNanos, String what, Runnable body) {
            long[] previous = CURRENT.get();
            CURRENT.set(new long[] {System.nanoTime() + budgetNanos, budgetNanos});
            try {
                body.run();
            } catch (Exceeded e) {
                var data = HubException.reasonData("validation_budget");
                data.put("budgetMs", budgetNanos / 1_000_000);
                throw HubException.withData(
                        ErrorCode.INVALID_PARAMS,
                        what + " took longer than its time budget (" + budgetNanos / 1_000_000
                                + " ms, limits.validationBudgetMs); simplify the schema or the arguments",
                        data);
            } finally {
                CURRENT.set(previous);
            }
        }

        static CharSequence guard(String value) {
            long[] deadline = CURRENT.get();
            return deadline == null ? value : new Guarded(value, deadline[0]);
        }
    }

    /** A pattern RE2/J cannot run; its message says which and why. */
    static final class Unsupported extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    /** Thrown from inside a match that ran past its deadline; turned into an answer by {@link Deadline#within}. */
    static final class Exceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Exceeded() {
            super("deadline exceeded", null, false, false);
        }
    }

    /** A string that throws once read past its deadline (checked every 4096 reads). */
    private static final class Guarded implements CharSequence {
        private final String s;
        private final long deadlineNanos;
        private int reads;

        Guarded(String s, long deadlineNanos) {
            this.s = s;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 4095) == 0 && System.nanoTime() - deadlineNanos > 0) {
                throw new Exceeded();
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Guarded(s.substring(start, end), deadlineNanos);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
