package dev.agentwire.protocol.fuzz;

import java.util.function.Consumer;

/**
 * Runs one fuzz check and, when it fails, reports the input made small by {@link Minimizer} beside the
 * original, in {@link Input}'s pasteable form: that is what a regression example is made from.
 */
public final class Failures {

    /** How long minimizing a failing input may take. */
    private static final long MINIMIZE_MILLIS = Long.getLong("fuzz.minimizeMillis", 3_000);

    private Failures() {}

    /**
     * Runs {@code check} on {@code input}; a failure is rethrown with the minimized input in its message (the
     * smallest input found that fails the same way: same exception type, same first line of message).
     */
    public static void check(Input input, Consumer<Input> check) {
        try {
            check.accept(input);
        } catch (RuntimeException | AssertionError e) {
            String kind = kind(e);
            byte[] small = Minimizer.minimize(
                    input.bytes(),
                    bytes -> {
                        try {
                            check.accept(new Input(bytes));
                            return false;
                        } catch (RuntimeException | AssertionError again) {
                            return kind.equals(kind(again));
                        }
                    },
                    MINIMIZE_MILLIS);
            String smallFailure;
            try {
                check.accept(new Input(small));
                smallFailure = "(passes now)";
            } catch (RuntimeException | AssertionError again) {
                smallFailure = abbreviate(again.toString());
            }
            throw new AssertionError(
                    "failing input (minimized): " + new Input(small) + "\n  which fails with: " + smallFailure
                            + "\noriginal input: " + input.show(2_000) + "\n  which failed with: "
                            + abbreviate(e.toString()),
                    e);
        }
    }

    /** A failure's type and the first line of its message: what must stay the same while minimizing. */
    private static String kind(Throwable t) {
        String m = String.valueOf(t.getMessage()).strip();
        int nl = m.indexOf('\n');
        return t.getClass().getName() + ": " + (nl < 0 ? m : m.substring(0, nl));
    }

    private static String abbreviate(String s) {
        return s.length() <= 4_000 ? s : s.substring(0, 4_000) + "... (" + s.length() + " characters)";
    }
}
