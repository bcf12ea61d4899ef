package dev.agentwire.bench;

import org.HdrHistogram.Histogram;

/**
 * One figure a probe measured in one round.
 *
 * @param name the subject, e.g. {@code hub-ping-uds}
 * @param value the figure: a p50 in nanoseconds, a rate per second or a wall time in nanoseconds
 * @param unit what {@code value} is
 * @param latency every round trip behind a latency figure, or null
 */
public record Measure(String name, double value, Unit unit, Histogram latency) {

    /** What a measure's value is. */
    public enum Unit {
        /** A median round trip, in nanoseconds (lower is better). */
        P50_NANOS("p50 µs", 1e-3),
        /** A 99th percentile, in nanoseconds (lower is better), shown in milliseconds. */
        P99_NANOS("p99 ms", 1e-6),
        /** Operations per second (higher is better). */
        PER_SECOND("per second", 1),
        /** Wall time of a whole command, in nanoseconds (lower is better). */
        WALL_NANOS("wall ms", 1e-6);

        final String label;
        final double scale;

        Unit(String label, double scale) {
            this.label = label;
            this.scale = scale;
        }
    }

    /** A latency subject: its p50 with the round trips behind it. */
    static Measure latency(String name, Stats s) {
        return new Measure(name, s.p50Nanos(), Unit.P50_NANOS, s.histogram());
    }

    static Measure rate(String name, double perSecond) {
        return new Measure(name, perSecond, Unit.PER_SECOND, null);
    }
}
