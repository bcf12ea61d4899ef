package dev.agentwire.server.transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads where {@code api.sock} commands ({@code aw-api-sock}) and {@code ipc.sock} frames ({@code aw-ipc})
 * run off the event loop: two cached pools of daemon threads, one hub's own.
 *
 * <p>Lifecycle: made when the hub starts (no thread starts until the first task), handed to the handlers, and
 * {@link #close closed} by the hub after its connections and event loops are gone: running tasks get
 * {@link #GRACE_MS} ms, then an interrupt, and close returns once every pool thread has ended (a thread stuck
 * past that in a call that ignores interrupts is logged and left). Thread safe.
 */
public final class HandlerPools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HandlerPools.class);

    /** How long close waits for running tasks, and again for the interrupted ones. */
    static final long GRACE_MS = 2000;

    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final ExecutorService api = pool("aw-api-sock");
    private final ExecutorService ipc = pool("aw-ipc");

    /** Where {@code api.sock} commands run. */
    public Executor api() {
        return api;
    }

    /** Where {@code ipc.sock} frames are handled. */
    public Executor ipc() {
        return ipc;
    }

    private ExecutorService pool(String name) {
        return Executors.newCachedThreadPool(r -> {
            threads.removeIf(t -> !t.isAlive());
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            threads.add(t);
            return t;
        });
    }

    @Override
    public void close() {
        api.shutdown();
        ipc.shutdown();
        try {
            if (!awaitBoth(GRACE_MS)) {
                api.shutdownNow();
                ipc.shutdownNow();
                awaitBoth(GRACE_MS);
            }
            // Terminated pools may still have threads on their way out: wait for those too.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MS);
            for (Thread t : threads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive()) {
                    log.warn("{} did not end within {} ms of the hub closing", t.getName(), 2 * GRACE_MS);
                }
            }
        } catch (InterruptedException e) {
            api.shutdownNow();
            ipc.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitBoth(long ms) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        return api.awaitTermination(ms, TimeUnit.MILLISECONDS)
                & ipc.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
