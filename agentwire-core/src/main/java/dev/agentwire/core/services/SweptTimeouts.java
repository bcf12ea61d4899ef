package dev.agentwire.core.services;

import dev.agentwire.core.Ticker;
import dev.agentwire.core.relay.Timeouts;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request timeouts kept in a concurrent set that the timer thread sweeps every tick, so that arming and cancelling
 * one (twice per service request, on the I/O threads) takes no lock the I/O threads share. A
 * {@link java.util.concurrent.ScheduledThreadPoolExecutor} guards its queue with one lock: an I/O thread that waits
 * for it while the holder (the other I/O thread, or the timer thread) is preempted stops every request it carries.
 *
 * <p>A timeout runs at most one tick late, never early. The sweep is scheduled only while timeouts are armed, and
 * looks at each armed one once a tick. Thread safe.
 */
final class SweptTimeouts implements Timeouts {

    private static final Logger log = LoggerFactory.getLogger(SweptTimeouts.class);

    private final ScheduledExecutorService timers;
    private final Ticker ticker;
    private final long tickNanos;
    private final Set<Armed> armed = ConcurrentHashMap.newKeySet();
    /** Whether a sweep is scheduled or running. */
    private final AtomicBoolean sweeping = new AtomicBoolean();

    SweptTimeouts(ScheduledExecutorService timers, Ticker ticker, Duration tick) {
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("the sweep's tick must be positive, got " + tick);
        }
        this.timers = timers;
        this.ticker = ticker;
        this.tickNanos = tick.toNanos();
    }

    @Override
    public Future<?> schedule(Runnable task, long delayMs) {
        Armed a = new Armed(task, ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs));
        armed.add(a);
        startSweeping();
        return a;
    }

    /** Timeouts armed and neither run nor cancelled yet. */
    int armedCount() {
        return armed.size();
    }

    /** Whether a sweep is scheduled: only while timeouts are armed. */
    boolean sweeping() {
        return sweeping.get();
    }

    private void startSweeping() {
        if (sweeping.compareAndSet(false, true)) {
            try {
                timers.schedule(this::sweep, tickNanos, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                sweeping.set(false); // the hub is stopping: its calls end with it
            }
        }
    }

    /** Runs the timeouts that are due, then sweeps again a tick later while any is armed. */
    void sweep() {
        long now = ticker.nanoTime();
        for (Armed a : armed) {
            if (now - a.deadlineNanos >= 0 && armed.remove(a)) {
                a.fired = true;
                try {
                    a.task.run();
                } catch (RuntimeException e) { // one failing timeout must not keep the others from running
                    log.error("a request timeout failed", e);
                }
            }
        }
        sweeping.set(false);
        if (!armed.isEmpty()) {
            startSweeping(); // also covers one armed while this sweep was finishing
        }
    }

    /** One armed timeout: cancelling it takes it out of the set. Only {@link #cancel} is meant to be used. */
    private final class Armed implements Future<Void> {
        final Runnable task;
        final long deadlineNanos;
        volatile boolean fired;
        volatile boolean cancelled;

        Armed(Runnable task, long deadlineNanos) {
            this.task = task;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (armed.remove(this)) {
                cancelled = true;
                return true;
            }
            return false;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled || fired;
        }

        /** A timeout has no result to wait for. */
        @Override
        public Void get() {
            throw new UnsupportedOperationException("a request timeout has no result to wait for");
        }

        @Override
        public Void get(long timeout, TimeUnit unit) {
            return get();
        }
    }
}
