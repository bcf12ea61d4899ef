package dev.agentwire.core;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/** The kernel's thread pools: made here, started lazily by their first task, stopped by the hub. */
final class Threads {

    private Threads() {}

    /** The workers handlers run on ({@code aw-worker-N}, daemons). */
    static ExecutorService workers(int threads) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                r -> daemon(r, "aw-worker-" + n.incrementAndGet()));
    }

    /** The one timer thread ({@code aw-timer}). */
    static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "aw-timer"));
        // Every relayed call arms a timeout and cancels it when answered: without this, tens of thousands of
        // cancelled timeouts a second would sit in the queue until their time came.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Lets queued work finish for up to {@code grace}, then interrupts what is left. */
    static void stop(ExecutorService pool, Duration grace) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Closes {@code resource}; a failure is logged, so that the rest of the hub still stops. */
    static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            LoggerFactory.getLogger(HubCore.class).warn("closing {} failed", resource, e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
