package dev.agentwire.protocol.fuzz;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Makes a failing input small: removes ever smaller ranges of bytes while the input still fails (a simple
 * delta debugging), within a time budget. Used instead of jqwik's shrinking, which cannot see through a seed.
 */
public final class Minimizer {

    private Minimizer() {}

    /** The smallest input found within {@code budgetMillis} for which {@code fails} holds. */
    public static byte[] minimize(byte[] input, Predicate<byte[]> fails, long budgetMillis) {
        long deadline = System.nanoTime() + budgetMillis * 1_000_000;
        byte[] best = input;
        for (int span = Math.max(1, best.length / 2); span >= 1 && System.nanoTime() < deadline; ) {
            boolean removed = false;
            for (int at = 0; at < best.length && System.nanoTime() < deadline; ) {
                int end = Math.min(best.length, at + span);
                byte[] candidate = new byte[best.length - (end - at)];
                System.arraycopy(best, 0, candidate, 0, at);
                System.arraycopy(best, end, candidate, at, best.length - end);
                if (failsSafely(fails, candidate)) {
                    best = candidate;
                    removed = true;
                } else {
                    at += span;
                }
            }
            if (!removed) {
                span /= 2;
            }
        }
        return Arrays.copyOf(best, best.length);
    }

    private static boolean failsSafely(Predicate<byte[]> fails, byte[] candidate) {
        try {
            return fails.test(candidate);
        } catch (RuntimeException | AssertionError e) {
            return false; // the predicate itself broke: not the failure being minimized
        }
    }
}
