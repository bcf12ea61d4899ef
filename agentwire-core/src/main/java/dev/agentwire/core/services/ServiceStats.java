package dev.agentwire.core.services;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/** Handling times of one service: counts, the mean, and the p99 of the most recent requests. Thread safe. */
public final class ServiceStats {

    private static final int RECENT = 1024;

    private final LongAdder handled = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final long[] recent = new long[RECENT];
    private int recentCount;
    private int recentNext;

    /** An answered request and how long the instance took. */
    public void handled(long nanos) {
        handled.increment();
        totalNanos.add(nanos);
        synchronized (recent) {
            recent[recentNext] = nanos;
            recentNext = (recentNext + 1) % RECENT;
            recentCount = Math.min(recentCount + 1, RECENT);
        }
    }

    /** A request that ended without an answer (timeout, instance gone, cancelled). */
    public void failed() {
        failed.increment();
    }

    public long handledCount() {
        return handled.sum();
    }

    public long failedCount() {
        return failed.sum();
    }

    public double meanMillis() {
        long n = handled.sum();
        return n == 0 ? 0 : totalNanos.sum() / 1e6 / n;
    }

    /** The 99th percentile of the last 1,024 handling times, in milliseconds. */
    public double p99Millis() {
        long[] copy;
        synchronized (recent) {
            copy = Arrays.copyOf(recent, recentCount);
        }
        if (copy.length == 0) {
            return 0;
        }
        Arrays.sort(copy);
        return copy[Math.min(copy.length - 1, (int) Math.ceil(copy.length * 0.99) - 1)] / 1e6;
    }
}
