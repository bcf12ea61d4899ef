package dev.agentwire.core.tools;

import dev.agentwire.core.AttributeKey;
import dev.agentwire.core.Connection;
import dev.agentwire.core.sessions.Session;
import dev.agentwire.core.sessions.SessionManager;

/** The tools of each session: one {@link ToolTable} per session, made the first time it is asked for. */
public final class ToolTables {

    private final AttributeKey<ToolTable> key = new AttributeKey<>("tools");
    private final int maxPerSession;

    public ToolTables(int maxPerSession) {
        this.maxPerSession = maxPerSession;
    }

    /** The tools registered in {@code session}. */
    public ToolTable of(Session session) {
        return session.attribute(key, () -> new ToolTable(maxPerSession));
    }

    /** The tools of the session {@code c} is in. */
    public ToolTable of(Connection c) {
        return of(SessionManager.sessionOf(c));
    }
}
