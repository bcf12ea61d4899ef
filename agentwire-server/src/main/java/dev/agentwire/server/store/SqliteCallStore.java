package dev.agentwire.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.calls.CallQuery;
import dev.agentwire.core.calls.CallRecord;
import dev.agentwire.core.calls.CallStore;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.HubStartException;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The call log in {@code hub.db} (table {@code calls}, beside the rooms' tables), for the core's call writer. Its
 * methods block and are synchronized: the writer's thread inserts and prunes, the reader's thread lists.
 */
public final class SqliteCallStore implements CallStore {

    private static final String COLUMNS = "id, at, kind, session, caller, identity, target, arguments, redacted,"
            + " truncated, duration_ms, result_bytes, result_digest, error_code, error_message";

    private final Connection db;
    private final PreparedStatement insert;
    private long lastId;

    private SqliteCallStore(Connection db) throws SQLException {
        this.db = db;
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,"
                    + " kind TEXT NOT NULL, session TEXT NOT NULL, caller TEXT NOT NULL, identity TEXT NOT NULL,"
                    + " target TEXT NOT NULL, arguments TEXT NOT NULL, redacted INTEGER NOT NULL, truncated INTEGER"
                    + " NOT NULL, duration_ms INTEGER NOT NULL, result_bytes INTEGER NOT NULL, result_digest TEXT,"
                    + " error_code INTEGER, error_message TEXT)");
            s.execute("CREATE INDEX IF NOT EXISTS calls_at ON calls (at)");
            s.execute("CREATE INDEX IF NOT EXISTS calls_target ON calls (kind, target)");
            // Ids keep growing across restarts, even when every record was pruned.
            try (ResultSet r = s.executeQuery("SELECT MAX(seq) FROM sqlite_sequence WHERE name = 'calls'")) {
                lastId = r.next() ? r.getLong(1) : 0;
            }
        }
        insert = db.prepareStatement("INSERT INTO calls (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    }

    /** Opens (and creates) the table in {@code file}, creating the file with mode 0600 if no one has yet. */
    public static SqliteCallStore open(Path file) {
        try {
            return new SqliteCallStore(HubDb.connect(file, "its call log"));
        } catch (SQLException e) {
            throw new HubStartException("cannot open the call log in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized List<CallRecord> insert(List<CallRecord> records) {
        List<CallRecord> out = new ArrayList<>(records.size());
        long next = lastId;
        try {
            db.setAutoCommit(false);
            for (CallRecord r : records) {
                CallRecord s = r.withId(++next);
                insert.setLong(1, s.id());
                insert.setLong(2, s.at());
                insert.setString(3, s.kind());
                insert.setString(4, s.session());
                insert.setString(5, s.caller());
                insert.setString(6, s.identity());
                insert.setString(7, s.target());
                insert.setString(8, s.arguments().toString());
                insert.setInt(9, s.redacted() ? 1 : 0);
                insert.setInt(10, s.truncated() ? 1 : 0);
                insert.setLong(11, s.durationMs());
                insert.setLong(12, s.resultBytes());
                insert.setString(13, s.resultDigest().orElse(null));
                if (s.error().isPresent()) {
                    insert.setInt(14, s.error().get().code());
                    insert.setString(15, s.error().get().message());
                } else {
                    insert.setNull(14, Types.INTEGER);
                    insert.setNull(15, Types.VARCHAR);
                }
                insert.addBatch();
                out.add(s);
            }
            insert.executeBatch();
            db.commit();
            if (bytes >= 0) {
                try (PreparedStatement added =
                        db.prepareStatement("SELECT coalesce(sum(" + SIZE + "), 0) FROM calls WHERE id > ?")) {
                    added.setLong(1, lastId);
                    try (ResultSet r = added.executeQuery()) {
                        bytes += r.next() ? r.getLong(1) : 0;
                    }
                }
            }
            lastId = next;
            return out;
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("storing " + records.size() + " calls failed: " + e.getMessage(), e);
        } finally {
            autoCommit();
        }
    }

    /** What a record takes, as {@link #prune} counts it: its text, and a little for the numbers. */
    static final String SIZE = "(64 + length(kind) + length(session) + length(caller) + length(identity)"
            + " + length(target) + length(arguments) + coalesce(length(result_digest), 0)"
            + " + coalesce(length(error_message), 0))";

    /** What the kept records take ({@link #SIZE}); -1 until counted once. */
    private long bytes = -1;

    @Override
    public synchronized int prune(long maxRows, long minAt, long maxBytes) {
        try {
            if (bytes < 0) {
                try (Statement s = db.createStatement();
                        ResultSet r = s.executeQuery("SELECT coalesce(sum(" + SIZE + "), 0) FROM calls")) {
                    bytes = r.next() ? r.getLong(1) : 0;
                }
            }
            int n = delete("at < ?", minAt);
            n += delete("id <= (SELECT id FROM calls ORDER BY id DESC LIMIT 1 OFFSET ?)", maxRows);
            return n + pruneBytes(maxBytes);
        } catch (SQLException e) {
            throw new IllegalStateException("pruning the call log failed: " + e.getMessage(), e);
        }
    }

    /** Deletes the records {@code where} selects (one parameter), taking what they took off the total. */
    private int delete(String where, long parameter) throws SQLException {
        try (PreparedStatement size =
                        db.prepareStatement("SELECT coalesce(sum(" + SIZE + "), 0) FROM calls WHERE " + where);
                PreparedStatement del = db.prepareStatement("DELETE FROM calls WHERE " + where)) {
            size.setLong(1, parameter);
            long freed;
            try (ResultSet r = size.executeQuery()) {
                freed = r.next() ? r.getLong(1) : 0;
            }
            del.setLong(1, parameter);
            int n = del.executeUpdate();
            bytes -= freed;
            return n;
        }
    }

    /**
     * Deletes the oldest records until the rest take at most {@code maxBytes}. The total is counted once, then kept
     * up to date by inserts and deletes: the oldest are read only as far as needed.
     */
    private int pruneBytes(long maxBytes) throws SQLException {
        if (bytes <= maxBytes) {
            return 0;
        }
        long freed = 0;
        long lastId = -1;
        try (PreparedStatement oldest = db.prepareStatement("SELECT id, " + SIZE + " FROM calls ORDER BY id ASC")) {
            oldest.setFetchSize(256);
            try (ResultSet r = oldest.executeQuery()) {
                while (bytes - freed > maxBytes && r.next()) {
                    lastId = r.getLong(1);
                    freed += r.getLong(2);
                }
            }
        }
        if (lastId < 0) {
            return 0;
        }
        try (PreparedStatement del = db.prepareStatement("DELETE FROM calls WHERE id <= ?")) {
            del.setLong(1, lastId);
            int n = del.executeUpdate();
            bytes -= freed;
            return n;
        }
    }

    @Override
    public synchronized List<CallRecord> list(CallQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM calls WHERE 1=1");
        List<Object> args = new ArrayList<>();
        q.id().ifPresent(id -> {
            sql.append(" AND id = ?");
            args.add(id);
        });
        q.tool().ifPresent(t -> {
            sql.append(" AND kind = 'tool' AND target = ?");
            args.add(t);
        });
        q.service().ifPresent(s -> {
            // "svc" matches "svc" and "svc/<any action>"; no LIKE, whose wildcards service names may hold.
            sql.append(" AND kind = 'service' AND (target = ? OR substr(target, 1, ?) = ?)");
            args.add(s);
            args.add((long) s.length() + 1);
            args.add(s + "/");
        });
        q.caller().ifPresent(c -> {
            sql.append(" AND (caller = ? OR identity = ?)");
            args.add(c);
            args.add(c);
        });
        q.since().ifPresent(t -> {
            sql.append(" AND at >= ?");
            args.add(t);
        });
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add((long) q.limit());
        List<CallRecord> out = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i) instanceof Long l) {
                    p.setLong(i + 1, l);
                } else {
                    p.setString(i + 1, (String) args.get(i));
                }
            }
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(read(r));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("reading the call log failed: " + e.getMessage(), e);
        }
    }

    private static CallRecord read(ResultSet r) throws SQLException {
        int code = r.getInt(14);
        Optional<CallRecord.Failure> error =
                r.wasNull() ? Optional.empty() : Optional.of(new CallRecord.Failure(code, r.getString(15)));
        return new CallRecord(
                r.getLong(1),
                r.getLong(2),
                r.getString(3),
                r.getString(4),
                r.getString(5),
                r.getString(6),
                r.getString(7),
                parse(r.getString(8)),
                r.getInt(9) != 0,
                r.getInt(10) != 0,
                r.getLong(11),
                r.getLong(12),
                Optional.ofNullable(r.getString(13)),
                error);
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("a recorded call's arguments are not JSON", e);
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    private void autoCommit() {
        try {
            db.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the next statement reports it
        }
    }

    @Override
    public synchronized void close() {
        try {
            insert.close();
            db.close();
        } catch (SQLException e) {
            // closing anyway
        }
    }
}
