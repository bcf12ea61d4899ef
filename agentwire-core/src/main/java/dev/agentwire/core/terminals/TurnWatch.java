package dev.agentwire.core.terminals;

import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Watches the terminals that run Claude Code for the end of its turns ({@code claude-turn}): a terminal whose
 * command is {@code claude} (or names it, as in {@code sh -c 'claude ...'}) gets its {@link TurnDetectors}, fed
 * from the output path, with a timer for when its output goes quiet; any terminal may report a turn from Claude
 * Code's hooks ({@code terminals/notify}). Each turn end goes to {@link Sink} with the source that saw it.
 *
 * <p>Thread safe. The timer runs on the service's scheduler and does no more than ask the detectors.
 */
final class TurnWatch {

    /** The hook events that end a turn: {@code Stop} (Claude finished) and {@code Notification} (it waits). */
    static final List<String> HOOK_EVENTS = List.of("Stop", "SubagentStop", "Notification");

    /** Where turn ends go. */
    interface Sink {
        /** {@code source}: {@code hook}, {@code bell}, {@code osc-9-4}, {@code title} or {@code status-line}. */
        void turnEnded(TerminalSession s, String source, Optional<String> hookEvent, Optional<String> message);
    }

    private final ScheduledExecutorService timers;
    private final LongSupplier nanoTime;
    private final Sink sink;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    private final Set<String> notClaude = ConcurrentHashMap.newKeySet();

    /** One watched terminal: its detectors and its idle timer's state (guarded by this). */
    private static final class Watched {
        final TurnDetectors detectors;
        long lastOutput;
        boolean timerSet;

        Watched(TurnDetectors detectors) {
            this.detectors = detectors;
        }
    }

    TurnWatch(ScheduledExecutorService timers, LongSupplier nanoTime, Sink sink) {
        this.timers = timers;
        this.nanoTime = nanoTime;
        this.sink = sink;
    }

    /** Whether {@code command} runs Claude Code: a word of it, or the first word of one, is {@code claude}. */
    static boolean runsClaude(List<String> command) {
        for (String word : command) {
            String first = word.strip().split("\\s+", 2)[0];
            if (!first.isEmpty() && Path.of(first).getFileName().toString().equals("claude")) {
                return true;
            }
        }
        return false;
    }

    /** Output of {@code s}: on its reader thread, so only the detectors run here. */
    void output(TerminalSession s, String text) {
        Watched w = watched.get(s.id);
        if (w == null) {
            if (notClaude.contains(s.id)) {
                return;
            }
            if (!runsClaude(s.command)) {
                notClaude.add(s.id);
                return;
            }
            w = watched.computeIfAbsent(s.id, id -> new Watched(TurnDetectors.claudeCode(nanoTime)));
        }
        w.detectors.output(text).ifPresent(source -> sink.turnEnded(s, source, Optional.empty(), Optional.empty()));
        boolean schedule;
        synchronized (w) {
            w.lastOutput = nanoTime.getAsLong();
            schedule = !w.timerSet;
            w.timerSet = true;
        }
        if (schedule) {
            idleCheck(s, w, TurnDetectors.IDLE_MS);
        }
    }

    private void idleCheck(TerminalSession s, Watched w, long delayMs) {
        try {
            timers.schedule(
                    () -> {
                        long quietMs;
                        synchronized (w) {
                            quietMs = (nanoTime.getAsLong() - w.lastOutput) / 1_000_000;
                            if (quietMs < TurnDetectors.IDLE_MS) {
                                idleCheck(s, w, TurnDetectors.IDLE_MS - quietMs);
                                return;
                            }
                            w.timerSet = false;
                        }
                        w.detectors
                                .idle()
                                .ifPresent(source -> sink.turnEnded(s, source, Optional.empty(), Optional.empty()));
                    },
                    delayMs,
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the hub is stopping
        }
    }

    /**
     * {@code terminals/notify}: Claude Code's hook {@code event} ran in terminal {@code s}. From now on only its
     * hooks count for that terminal.
     *
     * @throws HubException {@code -32602 unknown_hook_event} for an event that does not end a turn
     */
    void hook(TerminalSession s, String event, Optional<String> message) {
        if (!HOOK_EVENTS.contains(event)) {
            var data = HubException.reasonData("unknown_hook_event");
            data.put("event", event);
            throw HubException.withData(
                    ErrorCode.INVALID_PARAMS,
                    "hook event " + event + " does not end a turn; known: " + String.join(", ", HOOK_EVENTS),
                    data);
        }
        notClaude.remove(s.id);
        watched.computeIfAbsent(s.id, id -> new Watched(TurnDetectors.claudeCode(nanoTime)))
                .detectors
                .hooked();
        sink.turnEnded(s, "hook", Optional.of(event), message);
    }

    /** {@code s} is gone: forget it. */
    void forget(String id) {
        watched.remove(id);
        notClaude.remove(id);
    }
}
