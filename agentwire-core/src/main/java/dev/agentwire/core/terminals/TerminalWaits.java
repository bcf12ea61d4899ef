package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.patterns.BudgetedText;
import dev.agentwire.protocol.ErrorCode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code terminals/wait} calls waiting on one terminal: at most {@code max} at once ({@code -32008
 * too_many_waits} past that), each matched on the match executor (never on the terminal's reader or emulator
 * thread, never on an I/O thread) when output arrives or the screen settles, and each match under a budget: it
 * stops at the wait's deadline or after {@code matchBudgetNanos}, whichever comes first. When the terminal exits,
 * every wait has a last look and then fails with the exit.
 *
 * <p>Thread safe.
 */
final class TerminalWaits {

    private static final Logger log = LoggerFactory.getLogger(TerminalWaits.class);

    /** What a wait needs from its terminal and the service. */
    record Settings(int max, long matchBudgetNanos, Executor matcher, LongSupplier nanoTime) {}

    private final String terminalId;
    private final Settings settings;
    private final Supplier<String> screen;
    private final List<TerminalWait> waits = new CopyOnWriteArrayList<>();
    private HubException ended; // guarded by this
    /** Told whether any wait is waiting, whenever that may have changed (under this object's lock). */
    private final java.util.function.Consumer<Boolean> waiting;

    /** @param screen the visible screen as text, lines joined by {@code \n} */
    TerminalWaits(String terminalId, Settings settings, Supplier<String> screen) {
        this(terminalId, settings, screen, any -> {});
    }

    /**
     * @param screen the visible screen as text, lines joined by {@code \n}
     * @param waiting told {@code true} when a wait starts and {@code false} when the last one ends (the screen then
     *     draws as output comes, so that a wait sees the screens it passes through)
     */
    TerminalWaits(
            String terminalId,
            Settings settings,
            Supplier<String> screen,
            java.util.function.Consumer<Boolean> waiting) {
        this.terminalId = terminalId;
        this.settings = settings;
        this.screen = screen;
        this.waiting = waiting;
    }

    /** Starts {@code wait}: a first look at the screen, then at what changes. */
    void add(TerminalWait wait) {
        HubException exit;
        synchronized (this) {
            if (waits.size() >= settings.max()) {
                var data = HubException.reasonData("too_many_waits");
                data.put("limit", settings.max());
                data.put("id", terminalId);
                throw HubException.withData(
                        ErrorCode.OVERLOADED,
                        "at most " + settings.max() + " terminals/wait calls may wait on terminal " + terminalId
                                + " at once (terminals.maxWaitsPerTerminal)",
                        data);
            }
            waits.add(wait);
            waiting.accept(true);
            exit = ended;
        }
        wait.result().whenComplete((r, e) -> {
            synchronized (this) {
                waits.remove(wait);
                waiting.accept(!waits.isEmpty());
            }
        });
        if (exit != null ? wait.ended(exit) : wait.screenChanged()) {
            startRound(wait);
        }
    }

    /** Output the process wrote. Called on the terminal's reader thread. */
    void output(String text) {
        for (TerminalWait w : waits) {
            if (w.output(text)) {
                startRound(w);
            }
        }
    }

    /** Everything written so far is on the screen. Called on the terminal's emulator thread. */
    void screenSettled() {
        for (TerminalWait w : waits) {
            if (w.screenChanged()) {
                startRound(w);
            }
        }
    }

    /** The terminal exited: each wait looks once more, then fails with {@code why}. */
    void ended(HubException why) {
        synchronized (this) {
            ended = why;
        }
        for (TerminalWait w : waits) {
            if (w.ended(why)) {
                startRound(w);
            }
        }
    }

    int size() {
        return waits.size();
    }

    private void startRound(TerminalWait w) {
        try {
            settings.matcher().execute(() -> round(w));
        } catch (RejectedExecutionException e) {
            w.fail(HubException.of(ErrorCode.OVERLOADED, "shutting_down", "the hub is shutting down"));
        }
    }

    /** Looks at what changed for {@code w}, once; on the match executor. Queues another round if more changed. */
    private void round(TerminalWait w) {
        Optional<TerminalWait.Work> work = w.take();
        try {
            if (work.isPresent()) {
                look(w, work.get());
            }
        } catch (BudgetedText.Stopped stopped) {
            if (!w.isDone()) {
                w.fail(settings.nanoTime().getAsLong() - w.deadlineNanos >= 0 ? timedOut(w) : overBudget(w));
            }
        } catch (RuntimeException | StackOverflowError e) {
            log.warn("terminal {}: matching {} failed", terminalId, w.pattern.source(), e);
            w.fail(HubException.of(
                    ErrorCode.INTERNAL_ERROR, "internal_error", "matching " + w.pattern.source() + " failed: " + e));
        }
        if (w.finishRound()) {
            startRound(w);
        }
    }

    private void look(TerminalWait w, TerminalWait.Work work) {
        if (work.screen() && found(w, screen.get(), "screen")) {
            return;
        }
        if (work.output().isPresent() && found(w, work.output().get(), "output")) {
            return;
        }
        work.ended().ifPresent(w::fail);
    }

    /** Whether {@code w} matched {@code text} (and was answered). */
    private boolean found(TerminalWait w, String text, String where) {
        long now = settings.nanoTime().getAsLong();
        long deadline = w.deadlineNanos - now < settings.matchBudgetNanos()
                ? w.deadlineNanos
                : now + settings.matchBudgetNanos();
        BudgetedText budgeted = new BudgetedText(text, deadline, settings.nanoTime(), w::isDone);
        Optional<ObjectNode> match = w.pattern.find(budgeted, where);
        match.ifPresent(w::complete);
        return match.isPresent();
    }

    /** The answer to a wait whose time ran out. */
    static HubException timedOut(TerminalWait w) {
        var data = HubException.reasonData("timeout");
        data.put("timeoutMs", w.timeoutMs);
        data.put("pattern", w.pattern.source());
        return HubException.withData(
                ErrorCode.TIMEOUT,
                "no match for " + w.pattern.source() + " in terminal " + w.terminalId + " within " + w.timeoutMs
                        + " ms",
                data);
    }

    private HubException overBudget(TerminalWait w) {
        long budgetMs = settings.matchBudgetNanos() / 1_000_000;
        var data = HubException.reasonData("match_budget");
        data.put("budgetMs", budgetMs);
        data.put("pattern", w.pattern.source());
        return HubException.withData(
                ErrorCode.TIMEOUT,
                "matching " + w.pattern.source() + " in terminal " + w.terminalId + " took longer than "
                        + "terminals.matchBudgetMs (" + budgetMs + " ms) allows one match",
                data);
    }
}
