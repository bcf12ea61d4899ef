package dev.agentwire.core;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: one per connection, so that a peer's
 * requests start in the order it sent them while different peers run in parallel. It can be paused (the
 * transport does so while the peer's outbound queue is over its high-water mark): queued tasks then wait, and
 * run when it resumes. Thread safe.
 */
final class SerialExecutor implements Executor {

    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor delegate;
    private final Runnable onDrained;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Tasks queued or running. */
    private final AtomicInteger pending = new AtomicInteger();

    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean paused;

    /** @param onDrained runs on the worker each time the queue runs empty */
    SerialExecutor(Executor delegate, Runnable onDrained) {
        this.delegate = delegate;
        this.onDrained = onDrained;
    }

    @Override
    public void execute(Runnable task) {
        pending.incrementAndGet();
        tasks.add(task);
        schedule();
    }

    /** Whether nothing is queued or running and it is not paused: a task run inline now keeps the order. */
    boolean isIdle() {
        return pending.get() == 0 && !paused;
    }

    /** Holds queued tasks until {@link #resume}. The task running now finishes. */
    void pause() {
        paused = true;
    }

    void resume() {
        if (paused) {
            paused = false;
            schedule();
        }
    }

    private void schedule() {
        if (!paused && !tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            delegate.execute(this::drain);
        }
    }

    private void drain() {
        try {
            Runnable task;
            while (!paused && (task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (Throwable e) { // anything, so that a bad task never takes the queue down with it
                    log.error("task failed", e);
                } finally {
                    pending.decrementAndGet();
                }
            }
        } finally {
            scheduled.set(false);
        }
        if (!paused && !tasks.isEmpty()) {
            schedule(); // a task added while we were leaving
        } else {
            try {
                onDrained.run();
            } catch (Throwable e) { // the idle action (a half-closed peer's close) must not end the worker either
                log.error("idle action failed", e);
            }
        }
    }
}
