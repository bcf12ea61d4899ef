package dev.agentwire.core.tools;

import com.google.re2j.Pattern;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import dev.agentwire.core.HubException;
import dev.agentwire.core.patterns.BudgetedText;
import dev.agentwire.core.patterns.ClientPatterns;
import dev.agentwire.protocol.ErrorCode;

/**
 * JSON Schema patterns ({@code pattern}, {@code patternProperties}) as {@link ClientPatterns}: RE2/J, so a match
 * takes time linear in the input and a pattern such as {@code ((a+)+)+b} cannot make the hub backtrack; the size is
 * checked before compiling, so {@code ((a{1000}){1000}){1000}} cannot exhaust its memory; and a match reads its input
 * as {@link BudgetedText}, so it also stops at the deadline the current thread set with {@link Deadline#within}.
 * Patterns RE2/J does not support (backreferences, lookaround) are refused when the schema is compiled. Thread
 * safe.
 */
final class LinearRegex implements RegularExpressionFactory {

    static final LinearRegex INSTANCE = new LinearRegex();

    private LinearRegex() {}

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern p;
        try {
            p = ClientPatterns.compile(regex);
        } catch (ClientPatterns.Refused e) {
            throw new Unsupported("pattern " + (regex.length() > 200 ? regex.substring(0, 200) + "…" : regex)
                    + " is not taken: " + e.getMessage());
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
            CURRENT.set(new long[] {System.nanoTime() + budgetNanos});
            try {
                body.run();
            } catch (BudgetedText.Stopped e) {
                var data = HubException.reasonData("validation_budget");
                data.put("budgetMs", budgetNanos / 1_000_000);
                throw HubException.withData(
                        ErrorCode.INVALID_PARAMS,
                        what + " took longer than its time budget (" + budgetNanos / 1_000_000
                                + " ms); simplify the schema's patterns or the arguments",
                        data);
            } finally {
                CURRENT.set(previous);
            }
        }

        static CharSequence guard(String value) {
            long[] deadline = CURRENT.get();
            return deadline == null ? value : new BudgetedText(value, deadline[0], System::nanoTime, () -> false);
        }
    }

    /** A pattern that is not taken; its message says which and why. */
    static final class Unsupported extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }
}
