package dev.agentwire.core.services;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Handling times of one service: counts, the mean, and the p99 of the most recent requests. Thread safe, and
 * without a lock: every answered request of the service records here, on whichever I/O thread it ends, so a
 * monitor would be one all of them queue on. A p99 read while requests end may mix a slot's old and new time.
 */
public final class ServiceStats {

    private static final int RECENT = 1024;

    private final LongAdder handled = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final AtomicLongArray recent = new AtomicLongArray(RECENT);
    /** Times recorded so far: the next slot, modulo {@link #RECENT}. */
    private final AtomicLong recorded = new AtomicLong();

    /** An answered request and how long the instance took. */
    public void handled(long nanos) {
        handled.increment();
        totalNanos.add(nanos);
        recent.set((int) (recorded.getAndIncrement() % RECENT), nanos);
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
        long[] copy = new long[(int) Math.min(recorded.get(), RECENT)];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = recent.get(i);
        }
        if (copy.length == 0) {
            return 0;
        }
        Arrays.sort(copy);
        return copy[Math.min(copy.length - 1, (int) Math.ceil(copy.length * 0.99) - 1)] / 1e6;
    }
}
