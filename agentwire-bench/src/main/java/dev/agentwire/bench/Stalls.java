package dev.agentwire.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Where a load run's tail comes from: whether its slow requests come one caller at a time or in bursts that hit
 * every caller at once (a stall of the whole path), and the moments when no answer came at all, on the wall clock
 * so that they can be laid next to a server's safepoint log or a JFR recording.
 */
final class Stalls {

    private Stalls() {}

    /**
     * Slow requests whose waits overlap, as one stretch of time.
     *
     * @param fromNanos the first one's send, from the run's start
     * @param toNanos the last one's answer, from the run's start
     */
    record Burst(long fromNanos, long toNanos, int requests, int callers) {}

    /** A stretch with no answer to any caller, from the run's start. */
    record Gap(long atNanos, long lengthNanos) {}

    /**
     * @param slow requests over the threshold
     * @param bursts the slow requests grouped by overlapping waits, longest first
     * @param gaps stretches of at least 1 ms without an answer, longest first
     */
    record Report(ThinLoad.Recorded run, long slowNanos, int slow, List<Burst> bursts, List<Gap> gaps, long runNanos) {

        /** Slow requests in bursts that caught at least {@code callers} callers. */
        int slowInBurstsOf(int callers) {
            return bursts.stream()
                    .filter(b -> b.callers() >= callers)
                    .mapToInt(Burst::requests)
                    .sum();
        }

        long gapNanos() {
            return gaps.stream().mapToLong(Gap::lengthNanos).sum();
        }

        /** One paragraph: the share of slow requests, how they bunch, and the longest silences. */
        String describe(int callers) {
            int[] perBurst = bursts.stream().mapToInt(Burst::callers).sorted().toArray();
            StringBuilder b = new StringBuilder(String.format(
                    Locale.ROOT,
                    "over %.1f ms: %d of %d requests (%.2f%%) in %d bursts (callers per burst: median %d, max %d;"
                            + " %.0f%% of them in bursts that caught >= %d callers); no answer for >= 1 ms: %d times,"
                            + " %.1f ms in all (%.1f%% of the run)",
                    slowNanos / 1e6,
                    slow,
                    run.size(),
                    100.0 * slow / Math.max(1, run.size()),
                    bursts.size(),
                    perBurst.length == 0 ? 0 : perBurst[perBurst.length / 2],
                    perBurst.length == 0 ? 0 : perBurst[perBurst.length - 1],
                    100.0 * slowInBurstsOf(callers * 4 / 5) / Math.max(1, slow),
                    callers * 4 / 5,
                    gaps.size(),
                    gapNanos() / 1e6,
                    100.0 * gapNanos() / runNanos));
            for (Gap g : gaps.subList(0, Math.min(5, gaps.size()))) {
                b.append(String.format(
                        Locale.ROOT, "%n    silent %.2f ms from %s", g.lengthNanos() / 1e6, wallClock(g.atNanos())));
            }
            return b.toString();
        }

        /** A moment of the run on the wall clock. */
        Instant wallClock(long offsetNanos) {
            return Instant.ofEpochMilli(run.startEpochMillis()).plusNanos(offsetNanos);
        }
    }

    /** The report of {@code run}, with requests over {@code slowNanos} as slow. */
    static Report of(ThinLoad.Recorded run, long slowNanos) {
        int n = run.size();
        long[] done = new long[n];
        List<long[]> slow = new ArrayList<>(); // {sent, done, caller}
        for (int i = 0; i < n; i++) {
            long sent = run.sentNanos()[i] - run.startNanos();
            done[i] = sent + run.latencyNanos()[i];
            if (run.latencyNanos()[i] > slowNanos) {
                slow.add(new long[] {sent, done[i], run.caller()[i]});
            }
        }
        slow.sort(Comparator.comparingLong(s -> s[0]));
        List<Burst> bursts = new ArrayList<>();
        int i = 0;
        while (i < slow.size()) {
            long from = slow.get(i)[0];
            long to = slow.get(i)[1];
            java.util.Set<Long> callers = new java.util.HashSet<>();
            int j = i;
            while (j < slow.size() && slow.get(j)[0] <= to) {
                to = Math.max(to, slow.get(j)[1]);
                callers.add(slow.get(j)[2]);
                j++;
            }
            bursts.add(new Burst(from, to, j - i, callers.size()));
            i = j;
        }
        bursts.sort(Comparator.comparingLong((Burst b) -> b.toNanos() - b.fromNanos())
                .reversed());
        Arrays.sort(done);
        List<Gap> gaps = new ArrayList<>();
        for (int k = 1; k < n; k++) {
            long gap = done[k] - done[k - 1];
            if (gap >= 1_000_000) {
                gaps.add(new Gap(done[k - 1], gap));
            }
        }
        gaps.sort(Comparator.comparingLong(Gap::lengthNanos).reversed());
        long runNanos = n == 0 ? 1 : Math.max(1, done[n - 1]);
        return new Report(run, slowNanos, slow.size(), bursts, gaps, runNanos);
    }

    /**
     * Every request of {@code run} as CSV ({@code caller,sent_us,latency_us}, the send time from the run's start; the
     * start on the wall clock in the first line), for a closer look.
     */
    static void write(ThinLoad.Recorded run, Path file) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
            out.println("# start " + Instant.ofEpochMilli(run.startEpochMillis()));
            out.println("caller,sent_us,latency_us");
            for (int i = 0; i < run.size(); i++) {
                out.printf(
                        Locale.ROOT,
                        "%d,%.1f,%.1f%n",
                        run.caller()[i],
                        (run.sentNanos()[i] - run.startNanos()) / 1e3,
                        run.latencyNanos()[i] / 1e3);
            }
        }
    }

    private static final long[] EDGES_MICROS = {100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000};

    /** The share of latencies under each edge: {@code <100µs 12.3% | <200µs ... | >=50ms 0.01%}. */
    static String histogram(ThinLoad.Recorded run) {
        long[] counts = new long[EDGES_MICROS.length + 1];
        for (long l : run.latencyNanos()) {
            int b = 0;
            while (b < EDGES_MICROS.length && l >= EDGES_MICROS[b] * 1000) {
                b++;
            }
            counts[b]++;
        }
        List<String> parts = new ArrayList<>();
        for (int b = 0; b < counts.length; b++) {
            if (counts[b] > 0) {
                long edge = EDGES_MICROS[Math.min(b, EDGES_MICROS.length - 1)];
                parts.add(String.format(
                        Locale.ROOT,
                        "%s%s %.2f%%",
                        b == EDGES_MICROS.length ? ">=" : "<",
                        edge >= 1000 ? (edge / 1000) + "ms" : edge + "µs",
                        100.0 * counts[b] / run.size()));
            }
        }
        return String.join(" | ", parts);
    }
}
