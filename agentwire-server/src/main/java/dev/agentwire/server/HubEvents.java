package dev.agentwire.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.sessions.Session;
import dev.agentwire.core.sessions.SessionManager;
import dev.agentwire.core.tools.ToolTables;
import dev.agentwire.protocol.Json;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedder's events ({@link AgentwireHub#on}): what the core tells on its own threads (event loops, workers,
 * timers) is queued here and handed to the listeners on one thread of their own, in order, so that a slow listener
 * never holds an event loop. The queue holds at most {@code capacity} events; past that, events are dropped and
 * counted (a warning for the first of each run of drops). A listener that throws is logged and the others, and
 * later events, still go. Listeners may be added at any time. The thread starts in {@link #start} and stops in
 * {@link #close}, which lets what is queued go first (at most {@link #DRAIN}). Thread safe.
 */
final class HubEvents implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HubEvents.class);

    /** How long {@link #close} lets the queued events reach the listeners. */
    static final java.time.Duration DRAIN = java.time.Duration.ofSeconds(2);

    private final int capacity;
    private final Map<HubEvent.Type, List<Consumer<HubEvent>>> listeners = new EnumMap<>(HubEvent.Type.class);
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean dropping;
    private volatile ThreadPoolExecutor thread;

    HubEvents(int capacity) {
        this.capacity = capacity;
        for (HubEvent.Type t : HubEvent.Type.values()) {
            listeners.put(t, new CopyOnWriteArrayList<>());
        }
    }

    void add(HubEvent.Type type, Consumer<HubEvent> listener) {
        listeners.get(type).add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** Events dropped because the listeners fell {@code capacity} events behind. */
    long dropped() {
        return dropped.get();
    }

    /** Starts the listeners' thread and listens to {@code core}'s connections, sessions and tools. */
    void start(HubCore core) {
        ThreadPoolExecutor t =
                new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity), r -> {
                    Thread th = new Thread(r, "aw-embedder-events");
                    th.setDaemon(true);
                    return th;
                });
        thread = t;
        core.onConnectionOpened(c -> emit(HubEvent.Type.CONNECTION_OPENED, connection(c)));
        core.onConnectionClosed(c -> emit(
                HubEvent.Type.CONNECTION_CLOSED,
                connection(c).put("name", c.name()).put("subject", c.subject())));
        core.require(SessionManager.class).watch(new SessionManager.Watcher() {
            @Override
            public void created(Session s) {
                emit(HubEvent.Type.SESSION_CREATED, session(s));
            }

            @Override
            public void ended(Session s, String action, String reason) {
                emit(
                        "expired".equals(action) ? HubEvent.Type.SESSION_EXPIRED : HubEvent.Type.SESSION_CLOSED,
                        session(s).put("reason", reason));
            }
        });
        core.require(ToolTables.class)
                .watch((registered, session, tool, entry, hub) -> emit(
                        registered ? HubEvent.Type.TOOL_REGISTERED : HubEvent.Type.TOOL_UNREGISTERED,
                        Json.mapper()
                                .createObjectNode()
                                .put("sessionId", session)
                                .put("tool", tool)
                                .put("subject", entry.subject())
                                .put("hub", hub)));
    }

    private static ObjectNode connection(Connection c) {
        return Json.mapper()
                .createObjectNode()
                .put("connectionId", c.id())
                .put("transport", c.peer().transport().label());
    }

    private static ObjectNode session(Session s) {
        return Json.mapper()
                .createObjectNode()
                .put("sessionId", s.id())
                .put("name", s.name())
                .put("owner", s.owner());
    }

    /** Queues {@code type} for its listeners; never blocks. */
    void emit(HubEvent.Type type, ObjectNode data) {
        ThreadPoolExecutor t = thread;
        List<Consumer<HubEvent>> to = listeners.get(type);
        if (t == null || to.isEmpty()) {
            return;
        }
        HubEvent event = new HubEvent(type, Instant.now(), data);
        try {
            t.execute(() -> deliver(event, to));
            dropping = false;
        } catch (RejectedExecutionException e) {
            long n = dropped.incrementAndGet();
            if (!dropping && !t.isShutdown()) {
                dropping = true;
                LOG.warn(
                        "embedder events: {} events queued (the most), their listeners are too slow; dropping {}"
                                + " ({} dropped so far)",
                        capacity,
                        type.eventName(),
                        n);
            }
        }
    }

    private static void deliver(HubEvent event, List<Consumer<HubEvent>> to) {
        for (Consumer<HubEvent> l : to) {
            try {
                l.accept(new HubEvent(event.type(), event.at(), event.data().deepCopy()));
            } catch (RuntimeException e) {
                LOG.warn("embedder listener for {} failed", event.type().eventName(), e);
            }
        }
    }

    @Override
    public void close() {
        ThreadPoolExecutor t = thread;
        if (t == null) {
            return;
        }
        t.shutdown();
        try {
            if (!t.awaitTermination(DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "embedder events: {} not delivered after {} ms",
                        t.getQueue().size(),
                        DRAIN.toMillis());
                t.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            t.shutdownNow();
        }
    }
}
