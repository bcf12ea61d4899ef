package dev.agentwire.core.tools;

import dev.agentwire.core.AttributeKey;
import dev.agentwire.core.Connection;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.sessions.Session;
import dev.agentwire.core.sessions.SessionManager;

/**
 * The tools of each session, all in one {@link Directory} (a tool is the entry {@code <session>/<tool>}), seen a
 * session at a time through its {@link ToolTable}.
 */
public final class ToolTables {

    private final AttributeKey<ToolTable> key = new AttributeKey<>("tools");
    private final java.util.Set<Connection> viewers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Directory<ToolTable.Entry> directory;
    private final int maxPerSession;

    public ToolTables(Directory<ToolTable.Entry> directory, int maxPerSession) {
        this.directory = directory;
        this.maxPerSession = maxPerSession;
    }

    /** The tools registered in {@code session}. */
    public ToolTable of(Session session) {
        return session.attribute(key, () -> new ToolTable(directory, session.id(), maxPerSession));
    }

    /**
     * Told of every tool registered (or replaced) and unregistered in any session, on the thread that made the
     * change: it must be quick and must not block.
     */
    @FunctionalInterface
    public interface Watcher {
        /**
         * @param registered true when {@code tool} was registered or replaced, false when it went
         * @param hub the hub of its provider's connection
         */
        void changed(boolean registered, String session, String tool, ToolTable.Entry entry, String hub);
    }

    /** Tells {@code watcher} of every tool change from now on; one that throws is logged, the change stands. */
    public void watch(Watcher watcher) {
        directory.listen((change, e) -> {
            int slash = e.name().indexOf('/');
            if (slash < 0) {
                return;
            }
            try {
                watcher.changed(
                        change == Directory.Change.REGISTERED,
                        e.name().substring(0, slash),
                        e.name().substring(slash + 1),
                        e.value(),
                        e.owner().hub());
            } catch (RuntimeException failure) {
                org.slf4j.LoggerFactory.getLogger(ToolTables.class).warn("a tool watcher failed", failure);
            }
        });
    }

    /** Connections that see every session's tools: they hear of a change in any session. */
    java.util.Set<Connection> viewers() {
        return viewers;
    }

    /** The tools of the session {@code c} is in. */
    public ToolTable of(Connection c) {
        return of(SessionManager.sessionOf(c));
    }
}
