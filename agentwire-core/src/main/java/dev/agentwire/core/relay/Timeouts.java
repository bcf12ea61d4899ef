package dev.agentwire.core.relay;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Where relayed calls arm their timeouts; injected so that tests fire them instead of waiting. */
@FunctionalInterface
public interface Timeouts {

    /** Runs {@code task} after {@code delayMs} unless the returned future is cancelled first. */
    Future<?> schedule(Runnable task, long delayMs);

    /** Timeouts on {@code timers} (the hub's timer thread). */
    static Timeouts on(ScheduledExecutorService timers) {
        return (task, delayMs) -> timers.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    }
}
