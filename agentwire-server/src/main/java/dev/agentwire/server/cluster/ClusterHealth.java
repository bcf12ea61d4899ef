package dev.agentwire.server.cluster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this hub reaches Redis: {@code up}, or {@code degraded} from the first command that could not reach it
 * until the next heartbeat that does. While degraded the hub serves its own connections alone (rooms from the local
 * outbox, the directories from their copies, calls to other hubs refused at once); the listeners hear each change
 * once, on the thread that saw it. Thread safe.
 */
public final class ClusterHealth {

    private static final Logger log = LoggerFactory.getLogger(ClusterHealth.class);

    private final List<Consumer<String>> onDegraded = new CopyOnWriteArrayList<>();
    private final List<Runnable> onRestored = new CopyOnWriteArrayList<>();
    private volatile boolean degraded;
    private volatile String reason = "";
    private volatile long sinceMillis;
    private volatile long outages;

    /** Runs {@code listener} with the reason each time Redis is found gone. */
    public ClusterHealth onDegraded(Consumer<String> listener) {
        onDegraded.add(listener);
        return this;
    }

    /** Runs {@code listener} each time Redis answers again after it was gone, in the order they were added. */
    public ClusterHealth onRestored(Runnable listener) {
        onRestored.add(listener);
        return this;
    }

    /** A command could not reach Redis: degraded from now on, until {@link #reached}. */
    public void lost(String why) {
        synchronized (this) {
            if (degraded) {
                return;
            }
            degraded = true;
            reason = why;
            sinceMillis = System.currentTimeMillis();
            outages++;
        }
        log.warn("cluster: Redis is unreachable ({}); serving this hub's connections alone until it is back", why);
        for (Consumer<String> l : onDegraded) {
            try {
                l.accept(why);
            } catch (RuntimeException e) {
                log.warn("cluster: a degraded listener failed", e);
            }
        }
    }

    /** A heartbeat reached Redis: if the hub was degraded, the restored listeners run now, on this thread. */
    public void reached() {
        synchronized (this) {
            if (!degraded) {
                return;
            }
            degraded = false;
            reason = "";
        }
        log.info("cluster: Redis answers again; rejoining");
        for (Runnable l : onRestored) {
            try {
                l.run();
            } catch (RuntimeException e) {
                log.warn("cluster: a restored listener failed", e);
            }
        }
    }

    public boolean degraded() {
        return degraded;
    }

    /** {@code up} or {@code degraded}. */
    public String state() {
        return degraded ? "degraded" : "up";
    }

    /** Why the hub is degraded, or empty. */
    public String reason() {
        return reason;
    }

    /** When the hub last became degraded (epoch ms), 0 if never. */
    public long sinceMillis() {
        return sinceMillis;
    }

    /** How many times Redis was lost since the hub started. */
    public long outages() {
        return outages;
    }

    /**
     * Whether {@code e} (or a cause) says Redis could not be reached or did not answer in time, rather than that
     * it answered with an error: only the first kind makes the hub degraded.
     */
    public static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.lettuce.core.RedisCommandExecutionException) {
                return false; // Redis answered, with an error (whatever the words around it say)
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.lettuce.core.RedisConnectionException
                    || t instanceof io.lettuce.core.RedisCommandTimeoutException
                    || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof java.io.IOException) {
                return true;
            }
            // Lettuce's own words when the connection is gone: "Currently not connected", "Connection closed",
            // "Connection disconnected", "Unable to connect"; and RedisLink's "did not answer".
            String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("connect") || m.contains("did not answer")) {
                return true;
            }
        }
        return false;
    }
}
