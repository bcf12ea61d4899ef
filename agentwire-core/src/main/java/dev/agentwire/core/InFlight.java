package dev.agentwire.core;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The calls in flight across the hub, and whether it still takes new ones: what shutdown waits on. Thread safe. */
final class InFlight {

    private final AtomicInteger calls = new AtomicInteger();
    private final Object idle = new Object();
    private volatile boolean accepting = true;

    void started() {
        calls.incrementAndGet();
    }

    void finished() {
        if (calls.decrementAndGet() == 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    int count() {
        return calls.get();
    }

    boolean accepting() {
        return accepting;
    }

    /** Stops taking new calls; whether this call was the one that stopped it. */
    boolean stopAccepting() {
        synchronized (idle) {
            boolean was = accepting;
            accepting = false;
            return was;
        }
    }

    /** Waits until no call is in flight, at most {@code timeout}; whether it got there. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (calls.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
        return true;
    }
}
