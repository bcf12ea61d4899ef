package dev.agentwire.core;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: one per connection, so that a peer's
 * requests start in the order it sent them while different peers run in parallel. Thread safe.
 */
final class SerialExecutor implements Executor {

    private final Executor delegate;
    private final Runnable onDrained;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Tasks queued or running. */
    private final AtomicInteger pending = new AtomicInteger();

    /** @param onDrained runs on the worker each time the queue runs empty */
    SerialExecutor(Executor delegate, Runnable onDrained) {
        this.delegate = delegate;
        this.onDrained = onDrained;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (pending.getAndIncrement() == 0) {
            delegate.execute(this::drain);
        }
    }

    /** Whether nothing is queued or running: a task run inline now keeps the order. */
    boolean isIdle() {
        return pending.get() == 0;
    }

    private void drain() {
        do {
            Runnable task = tasks.poll();
            try {
                task.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SerialExecutor.class).error("task failed", e);
            }
        } while (pending.decrementAndGet() > 0);
        onDrained.run();
    }
}
