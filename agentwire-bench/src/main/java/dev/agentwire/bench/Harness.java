package dev.agentwire.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every probe once per round, for several rounds, so that each baseline and its subjects run side by side
 * (A B A B ...) and the machine's drift shows as spread instead of as a ratio. Shows a progress bar.
 */
final class Harness {

    private final List<Probe> probes;
    private final int rounds;
    private final Progress progress;

    Harness(List<Probe> probes, int rounds, Progress progress) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1");
        }
        this.probes = List.copyOf(probes);
        this.rounds = rounds;
        this.progress = progress;
    }

    /** Every measure of every round, by name, in the order first measured; a round it skipped is absent. */
    Map<String, List<Measure>> run(BenchContext context) throws Exception {
        Map<String, List<Measure>> byName = new LinkedHashMap<>();
        int steps = rounds * probes.size();
        int step = 0;
        for (int round = 1; round <= rounds; round++) {
            for (Probe probe : probes) {
                progress.show(step++, steps, "round " + round + "/" + rounds + "  " + probe.name());
                for (Measure m : probe.run(context)) {
                    byName.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(m);
                }
            }
        }
        progress.done(steps);
        return byName;
    }

    /** A progress bar on a terminal, one line per round elsewhere, or nothing. */
    static final class Progress {
        private final PrintStream err;
        private final boolean terminal;
        private String lastRound = "";

        Progress(PrintStream err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        static Progress none() {
            return new Progress(null, false);
        }

        void show(int step, int steps, String what) {
            if (err == null) {
                return;
            }
            if (terminal) {
                int width = 30;
                int filled = step * width / steps;
                err.print("\r[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + step + "/" + steps + "  "
                        + String.format("%-40s", what));
                err.flush();
            } else {
                String round = what.substring(0, what.indexOf("  "));
                if (!round.equals(lastRound)) {
                    err.println("bench: " + round);
                    lastRound = round;
                }
            }
        }

        void done(int steps) {
            if (err != null && terminal) {
                err.print("\r[" + "#".repeat(30) + "] " + steps + "/" + steps + String.format("%-42s", "") + "\n");
                err.flush();
            }
        }
    }
}
