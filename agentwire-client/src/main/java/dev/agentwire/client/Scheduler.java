package dev.agentwire.client;

import java.time.Duration;

/** Runs a task after a delay; injected so that tests move time instead of sleeping. */
@FunctionalInterface
public interface Scheduler {

    /** Schedules {@code task}; the returned handle cancels it. */
    Cancellable schedule(Runnable task, Duration delay);

    /** A scheduled task's handle. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
