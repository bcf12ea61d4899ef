package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The waits of one terminal, with the match executor as a queue the test runs by hand and a clock it moves: what
 * reporters do (record, never match), how rounds coalesce, the cap, the exit, the budget.
 */
class TerminalWaitsTest {

    private final Queue<Runnable> matchQueue = new ArrayDeque<>();
    private final AtomicLong clock = new AtomicLong();
    private String screen = "";

    private TerminalWaits waits(int max, long budgetNanos) {
        return new TerminalWaits(
                "t1", new TerminalWaits.Settings(max, budgetNanos, matchQueue::add, clock::get), () -> screen);
    }

    private static TerminalWait wait(String pattern) {
        return new TerminalWait("t1", WaitPattern.compile(pattern), 1000, 1_000_000_000L, null, Optional.empty());
    }

    private void runMatches() {
        for (Runnable r = matchQueue.poll(); r != null; r = matchQueue.poll()) {
            r.run();
        }
    }

    private static Throwable failure(TerminalWait w) {
        assertThat(w.result()).isCompletedExceptionally();
        try {
            w.result().join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("not failed");
    }

    @Test
    void reportersOnlyRecordAndRoundsCoalesce() {
        TerminalWaits ws = waits(16, Long.MAX_VALUE / 4);
        TerminalWait w = wait("done");
        ws.add(w);
        ws.output("a");
        ws.output("b");
        ws.screenSettled();
        // One round queued for the first look; the changes after it wait for that round, not a thread each.
        assertThat(matchQueue).hasSize(1);
        assertThat(w.result()).isNotDone();
        ws.output("do");
        ws.output("ne");
        runMatches();
        JsonNode m = w.result().join();
        assertThat(m.path("where").asText()).isEqualTo("output");
        assertThat(m.path("match").asText()).isEqualTo("done");
        assertThat(ws.size()).isZero();
    }

    @Test
    void theScreenIsLookedAtFirst() {
        screen = "$ ready";
        TerminalWaits ws = waits(16, Long.MAX_VALUE / 4);
        TerminalWait w = wait("ready");
        ws.add(w);
        runMatches();
        assertThat(w.result().join().path("where").asText()).isEqualTo("screen");
    }

    @Test
    void outputJustBeforeTheExitIsStillMatchedThenTheExitFailsTheRest() {
        TerminalWaits ws = waits(16, Long.MAX_VALUE / 4);
        TerminalWait found = wait("bye");
        TerminalWait missed = wait("never");
        ws.add(found);
        ws.add(missed);
        ws.output("bye\r\n");
        ws.ended(HubException.of(ErrorCode.NOT_FOUND, "terminal_exited", "terminal t1 has exited (code 0)"));
        runMatches();
        assertThat(found.result().join().path("match").asText()).isEqualTo("bye");
        assertThat(failure(missed)).hasMessageContaining("has exited");
        // A wait that starts after the exit gets one look and the exit.
        TerminalWait late = wait("never");
        ws.add(late);
        runMatches();
        assertThat(failure(late)).hasMessageContaining("has exited");
    }

    @Test
    void oneWaitPastTheCapIsRefusedNamingTheLimitAndAnEndedWaitFreesItsPlace() {
        TerminalWaits ws = waits(2, Long.MAX_VALUE / 4);
        TerminalWait a = wait("a");
        ws.add(a);
        ws.add(wait("b"));
        assertThatThrownBy(() -> ws.add(wait("c"))).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(e.getMessage()).contains("at most 2").contains("terminals.maxWaitsPerTerminal");
            assertThat(e.toRpcError().data().path("limit").asInt()).isEqualTo(2);
        });
        a.fail(HubException.of(ErrorCode.CANCELLED, "cancelled", "cancelled"));
        ws.add(wait("c"));
        assertThat(ws.size()).isEqualTo(2);
    }

    @Test
    void aMatchOverItsBudgetFailsTheWaitNamingTheBudget() {
        // Each look at the clock moves it on: the 5 ns budget is spent within the first characters.
        TerminalWaits moving = new TerminalWaits(
                "t1", new TerminalWaits.Settings(16, 5, matchQueue::add, clock::incrementAndGet), () -> "");
        TerminalWait slow = wait("(?s)(.{100}){100}x");
        moving.add(slow);
        moving.output("b".repeat(1 << 16));
        runMatches();
        Throwable e = failure(slow);
        assertThat(e).hasMessageContaining("terminals.matchBudgetMs");
        assertThat(((HubException) e).toRpcError().data().path("reason").asText())
                .isEqualTo("match_budget");
        assertThat(((HubException) e).code()).isEqualTo(ErrorCode.TIMEOUT);
    }
}
