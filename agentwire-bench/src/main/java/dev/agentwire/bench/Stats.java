package dev.agentwire.bench;

import org.HdrHistogram.Histogram;

/**
 * Round-trip figures of one subject, with the latencies they come from.
 *
 * @param p50Nanos median round trip
 * @param p99Nanos 99th percentile
 * @param p999Nanos 99.9th percentile
 * @param roundTripsPerSecond sequential round trips per second over the measured loop
 * @param histogram every round trip, in nanoseconds
 */
public record Stats(long p50Nanos, long p99Nanos, long p999Nanos, double roundTripsPerSecond, Histogram histogram) {

    /** The largest latency a histogram records exactly enough: a minute (longer values are clamped to it). */
    static final long HIGHEST_NANOS = 60_000_000_000L;

    /** A histogram for round trips: 1 ns to a minute, three significant digits. */
    public static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_NANOS, 3);
    }

    /** Records one round trip, clamped into the histogram's range. */
    public static void record(Histogram h, long nanos) {
        h.recordValue(Math.max(1, Math.min(nanos, HIGHEST_NANOS)));
    }

    /** From per-round-trip samples and the loop's total time. */
    public static Stats of(long[] samples, long totalNanos) {
        Histogram h = newHistogram();
        for (long s : samples) {
            record(h, s);
        }
        return of(h, totalNanos);
    }

    /** From a histogram of the round trips and the loop's total time. */
    public static Stats of(Histogram h, long totalNanos) {
        return new Stats(
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9),
                h.getTotalCount() * 1e9 / totalNanos,
                h);
    }
}
