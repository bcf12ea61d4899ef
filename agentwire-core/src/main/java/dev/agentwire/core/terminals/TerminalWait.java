package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.Id;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code terminals/wait} in progress: its pattern and deadline, who asked, the output written since it began
 * (the last {@value #WINDOW} characters), what changed since it last looked, and its answer.
 *
 * <p>Threads: the terminal's reader and emulator threads only record a change here ({@link #output},
 * {@link #screenChanged}, {@link #ended}); the one that finds no match round running claims one, which
 * {@link TerminalWaits} runs on the match executor and which takes every change since the last round
 * ({@link #take}); changes during a round make it queue one more ({@link #finishRound}), behind the other waits'.
 * So matching never runs on the reporting thread, never more than once at a time per wait, and a busy terminal's
 * wait does not keep a match thread from the others. The
 * answer is given once (a match, a timeout, a cancellation, the terminal's exit); a round in progress then stops
 * at its next check. Thread safe.
 */
final class TerminalWait {

    /** How much new output a wait keeps to match against, in characters. */
    static final int WINDOW = 1 << 20;

    final String terminalId;
    final WaitPattern pattern;
    final long timeoutMs;
    /** The wait's deadline, on the service's nano clock. */
    final long deadlineNanos;

    final Connection caller;
    final Optional<Id> requestId;
    private final CompletableFuture<JsonNode> result = new CompletableFuture<>();

    // Guarded by this.
    private final StringBuilder seen = new StringBuilder();
    private boolean screenChanged;
    private boolean outputChanged;
    private boolean roundRunning;
    private HubException ended;

    /** What one match round looks at: the screen (if it changed), the output window (if it grew), the exit. */
    record Work(boolean screen, Optional<String> output, Optional<HubException> ended) {}

    TerminalWait(
            String terminalId,
            WaitPattern pattern,
            long timeoutMs,
            long deadlineNanos,
            Connection caller,
            Optional<Id> requestId) {
        this.terminalId = terminalId;
        this.pattern = pattern;
        this.timeoutMs = timeoutMs;
        this.deadlineNanos = deadlineNanos;
        this.caller = caller;
        this.requestId = requestId;
    }

    CompletableFuture<JsonNode> result() {
        return result;
    }

    boolean isDone() {
        return result.isDone();
    }

    /** New output; whether the caller must start a match round. */
    synchronized boolean output(String text) {
        if (result.isDone()) {
            return false;
        }
        seen.append(text);
        if (seen.length() > WINDOW) {
            seen.delete(0, seen.length() - WINDOW);
        }
        outputChanged = true;
        return claimRound();
    }

    /** The screen changed (and settled); whether the caller must start a match round. */
    synchronized boolean screenChanged() {
        if (result.isDone()) {
            return false;
        }
        screenChanged = true;
        return claimRound();
    }

    /**
     * The terminal exited with {@code why}: one more look at the screen and the output, then the wait fails with
     * it. Whether the caller must start a match round.
     */
    synchronized boolean ended(HubException why) {
        if (result.isDone()) {
            return false;
        }
        ended = why;
        screenChanged = true;
        outputChanged = true;
        return claimRound();
    }

    private boolean claimRound() {
        if (roundRunning) {
            return false;
        }
        roundRunning = true;
        return true;
    }

    /** Everything that changed since the last look, or empty if nothing did (or it has its answer). */
    synchronized Optional<Work> take() {
        if (result.isDone() || (!screenChanged && !outputChanged && ended == null)) {
            return Optional.empty();
        }
        Work work = new Work(
                screenChanged,
                outputChanged ? Optional.of(seen.toString()) : Optional.empty(),
                Optional.ofNullable(ended));
        screenChanged = false;
        outputChanged = false;
        return Optional.of(work);
    }

    /**
     * Ends a round: whether another is due (something changed meanwhile and there is no answer yet); if not, the
     * next change claims one.
     */
    synchronized boolean finishRound() {
        if (result.isDone() || (!screenChanged && !outputChanged)) {
            roundRunning = false;
            return false;
        }
        return true;
    }

    /** Answers with {@code match}; false if it had an answer already. */
    boolean complete(JsonNode match) {
        return result.complete(match);
    }

    /** Answers with {@code error}; false if it had an answer already. */
    boolean fail(HubException error) {
        return result.completeExceptionally(error);
    }
}
