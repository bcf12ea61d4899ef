package dev.agentwire.server.store;

import dev.agentwire.core.sessions.Session;
import dev.agentwire.core.sessions.SessionStore;
import dev.agentwire.server.HubStartException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions a hub created, in {@code hub.db} (table {@code sessions}, beside the rooms' and the call log's), so
 * that they outlive a restart. A row holds what {@link Session.Info} does; a row whose columns do not hold what
 * they should (text where a number belongs, an empty id) is skipped with a warning and left in the table. Its
 * methods block and are synchronized; the sessions call them from workers and timers.
 */
public final class SqliteSessionStore implements SessionStore {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteSessionStore.class);

    private final Connection db;

    private SqliteSessionStore(Connection db) throws SQLException {
        this.db = db;
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT"
                    + " NULL, created_at INTEGER NOT NULL, ttl_ms INTEGER NOT NULL, idle_ms INTEGER NOT NULL)");
        }
    }

    /** Opens (and creates) the table in {@code file}, creating the file with mode 0600 if no one has yet. */
    public static SqliteSessionStore open(Path file) {
        try {
            return new SqliteSessionStore(HubDb.connect(file, "its sessions"));
        } catch (SQLException e) {
            throw new HubStartException("cannot open the sessions in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<Stored> load() {
        List<Stored> out = new ArrayList<>();
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery(
                        "SELECT id, name, owner, created_at, ttl_ms, idle_ms FROM sessions ORDER BY id")) {
            while (r.next()) {
                Object id = r.getObject(1);
                read(r).ifPresentOrElse(
                                out::add,
                                () -> LOG.warn(
                                        "hub.db: session row {} skipped: its columns do not hold a session (id, name, owner as"
                                                + " text; created_at, ttl_ms, idle_ms as whole numbers); the row is left as it is",
                                        id));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the stored sessions failed: " + e.getMessage(), e);
        }
        return out;
    }

    /** The session in the current row, if its columns hold the types they should. */
    private static Optional<Stored> read(ResultSet r) throws SQLException {
        if (!(r.getObject(1) instanceof String id)
                || !(r.getObject(2) instanceof String name)
                || !(r.getObject(3) instanceof String owner)
                || !(r.getObject(4) instanceof Number createdAt)
                || !(r.getObject(5) instanceof Number ttl)
                || !(r.getObject(6) instanceof Number idle)
                || id.isEmpty()) {
            return Optional.empty();
        }
        if (!whole(createdAt) || !whole(ttl) || !whole(idle)) {
            return Optional.empty();
        }
        return Optional.of(new Stored(
                id, new Session.Info(name, owner, createdAt.longValue(), ttl.longValue(), idle.longValue())));
    }

    private static boolean whole(Number n) {
        return n instanceof Long || n instanceof Integer;
    }

    @Override
    public synchronized void save(Stored session) {
        Session.Info i = session.info();
        try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO sessions (id, name, owner, created_at,"
                + " ttl_ms, idle_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
            p.setString(1, session.id());
            p.setString(2, i.name());
            p.setString(3, i.owner());
            p.setLong(4, i.createdAtMillis());
            p.setLong(5, i.ttlMillis());
            p.setLong(6, i.idleMillis());
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("storing session " + session.id() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void delete(String id) {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM sessions WHERE id = ?")) {
            p.setString(1, id);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("removing session " + id + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing anyway
        }
    }
}
