package dev.agentwire.core.terminals;

import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The {@link TurnDetector}s of one terminal that runs Claude Code, fed with its output: says which source saw a
 * turn end. Claude Code's own hooks ({@code aw notify}) come first: once a hook has reported for this terminal,
 * the output's signs no longer count. Otherwise the first detector that sees the end names it, and what the
 * others see within {@link #QUIET_MS} after it is the same turn and is not reported again.
 *
 * <p>Thread safe (the output path, the idle timer and hook calls meet here).
 */
final class TurnDetectors {

    /** How long output must be quiet before {@link TurnDetector#idle} is asked. */
    static final long IDLE_MS = 1500;

    /** Signs of the same turn's end that come this soon after a reported one are not reported again. */
    static final long QUIET_MS = 2000;

    private final List<TurnDetector> detectors;
    private final ControlScanner scanner = new ControlScanner();
    private final LongSupplier nanoTime;
    private boolean hooked;
    private boolean reported;
    private long reportedAt;

    TurnDetectors(List<TurnDetector> detectors, LongSupplier nanoTime) {
        this.detectors = List.copyOf(detectors);
        this.nanoTime = nanoTime;
    }

    /** The bell, OSC 9;4, the title and the status line, in that order. */
    static TurnDetectors claudeCode(LongSupplier nanoTime) {
        return new TurnDetectors(
                List.of(
                        new TurnDetector.Bell(),
                        new TurnDetector.Progress(),
                        new TurnDetector.Title(),
                        new TurnDetector.StatusLine()),
                nanoTime);
    }

    /** Output the terminal wrote: the source that saw a turn end in it, if one did. */
    synchronized Optional<String> output(String text) {
        String[] seen = {null};
        for (TurnDetector d : detectors) {
            if (d.output(text) && seen[0] == null) {
                seen[0] = d.source();
            }
        }
        scanner.feed(text, new ControlScanner.Listener() {
            @Override
            public void bell() {
                for (TurnDetector d : detectors) {
                    if (d.bell() && seen[0] == null) {
                        seen[0] = d.source();
                    }
                }
            }

            @Override
            public void osc(String body) {
                for (TurnDetector d : detectors) {
                    if (d.osc(body) && seen[0] == null) {
                        seen[0] = d.source();
                    }
                }
            }
        });
        return report(seen[0]);
    }

    /** The output has been quiet for {@link #IDLE_MS}: the source that saw a turn end in that, if one did. */
    synchronized Optional<String> idle() {
        String seen = null;
        for (TurnDetector d : detectors) {
            if (d.idle() && seen == null) {
                seen = d.source();
            }
        }
        return report(seen);
    }

    /** A Claude Code hook reported: from now on only hooks count for this terminal. */
    synchronized void hooked() {
        hooked = true;
    }

    private Optional<String> report(String source) {
        if (source == null || hooked) {
            return Optional.empty();
        }
        long now = nanoTime.getAsLong();
        if (reported && now - reportedAt < QUIET_MS * 1_000_000) {
            return Optional.empty();
        }
        reported = true;
        reportedAt = now;
        return Optional.of(source);
    }
}
