package dev.agentwire.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the Linux scheduler says about a process's threads ({@code /proc/PID/task/TID/schedstat}): the time each
 * ran on a CPU and the time it waited, runnable, for one. A server thread that waited for a CPU while requests
 * queued behind it is a stall that is not the server's code. Threads are summed by name.
 */
final class SchedStat {

    private SchedStat() {}

    /** Nanoseconds on a CPU and waiting runnable for one, by thread name (empty where /proc cannot be read). */
    static Map<String, long[]> of(long pid) {
        Map<String, long[]> out = new HashMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) list::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    String[] f =
                            Files.readString(task.resolve("schedstat")).trim().split("\\s+");
                    long[] sum = out.computeIfAbsent(name, k -> new long[2]);
                    sum[0] += Long.parseLong(f[0]);
                    sum[1] += Long.parseLong(f[1]);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /** Nanoseconds all threads ran on a CPU between two readings. */
    static long ranBetween(Map<String, long[]> before, Map<String, long[]> after) {
        long ran = 0;
        for (var e : after.entrySet()) {
            ran += e.getValue()[0] - before.getOrDefault(e.getKey(), new long[2])[0];
        }
        return ran;
    }

    /**
     * The threads that ran or waited at least 1% of {@code wallNanos} between two readings, busiest first:
     * {@code aw-io-3-1 ran 812 ms, waited 96 ms}.
     */
    static String between(Map<String, long[]> before, Map<String, long[]> after, long wallNanos) {
        List<String[]> rows = new ArrayList<>();
        List<long[]> deltas = new ArrayList<>();
        long ran = 0;
        long waited = 0;
        for (var e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
            ran += d[0];
            waited += d[1];
            if (d[0] + d[1] >= wallNanos / 100) {
                rows.add(new String[] {e.getKey()});
                deltas.add(d);
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        order.sort((x, y) -> Long.compare(deltas.get(y)[0], deltas.get(x)[0]));
        StringBuilder s = new StringBuilder(String.format(
                Locale.ROOT, "all threads ran %.0f ms, waited for a CPU %.0f ms", ran / 1e6, waited / 1e6));
        for (int i : order) {
            s.append(String.format(
                    Locale.ROOT,
                    "; %s ran %.0f, waited %.0f",
                    rows.get(i)[0],
                    deltas.get(i)[0] / 1e6,
                    deltas.get(i)[1] / 1e6));
        }
        return s.toString();
    }
}
