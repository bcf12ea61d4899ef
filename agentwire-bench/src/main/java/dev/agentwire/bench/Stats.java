package dev.agentwire.bench;

import java.util.Arrays;

/**
 * Round-trip figures of one subject.
 *
 * @param p50Nanos median round trip
 * @param p99Nanos 99th percentile
 * @param p999Nanos 99.9th percentile
 * @param roundTripsPerSecond sequential round trips per second over the measured loop
 */
public record Stats(long p50Nanos, long p99Nanos, long p999Nanos, double roundTripsPerSecond) {

    /** From per-round-trip samples (sorted in place) and the loop's total time. */
    public static Stats of(long[] samples, long totalNanos) {
        Arrays.sort(samples);
        return new Stats(
                pct(samples, 0.50), pct(samples, 0.99), pct(samples, 0.999), samples.length * 1e9 / totalNanos);
    }

    /** The same rank rule as the C program: index (n-1)·p. */
    static long pct(long[] sorted, double p) {
        return sorted[(int) ((sorted.length - 1) * p)];
    }
}
