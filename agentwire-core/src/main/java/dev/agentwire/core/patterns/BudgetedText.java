package dev.agentwire.core.patterns;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Text that a regular-expression match reads under a budget: every {@value #CHECK_EVERY} characters read it
 * checks a deadline and a stop condition (the wait ended, the thread was interrupted), and throws {@link Stopped}
 * past either. So a match over a large screen or output window never holds its thread past its deadline, and one
 * whose wait was cancelled or answered stops at once.
 *
 * <p>Not thread safe: one match reads it at a time.
 */
public final class BudgetedText implements CharSequence {

    /** Characters read between two checks (a power of two). */
    public static final int CHECK_EVERY = 16;

    /** Why a match stopped before it ended. */
    public enum Reason {
        /** The deadline passed. */
        DEADLINE,
        /** The stop condition held (the wait ended, the thread was interrupted). */
        STOPPED
    }

    /** Thrown out of the match by {@link #charAt} when the budget is spent. */
    public static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final Reason reason;

        Stopped(Reason reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }

        /** Why the match stopped. */
        public Reason reason() {
            return reason;
        }
    }

    private final String text;
    private final long deadlineNanos;
    private final LongSupplier nanoTime;
    private final BooleanSupplier stop;
    private int reads;

    /**
     * @param deadlineNanos when to stop, on {@code nanoTime}'s scale
     * @param stop whether to stop now
     */
    public BudgetedText(String text, long deadlineNanos, LongSupplier nanoTime, BooleanSupplier stop) {
        this.text = text;
        this.deadlineNanos = deadlineNanos;
        this.nanoTime = nanoTime;
        this.stop = stop;
    }

    @Override
    public char charAt(int index) {
        if ((++reads & (CHECK_EVERY - 1)) == 0) {
            check();
        }
        return text.charAt(index);
    }

    private void check() {
        if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) {
            throw new Stopped(Reason.STOPPED);
        }
        if (nanoTime.getAsLong() - deadlineNanos >= 0) {
            throw new Stopped(Reason.DEADLINE);
        }
    }

    @Override
    public int length() {
        return text.length();
    }

    /** A plain part of the text (the matcher takes groups out of a match it has finished). */
    @Override
    public CharSequence subSequence(int start, int end) {
        return text.substring(start, end);
    }

    @Override
    public String toString() {
        return text;
    }
}
