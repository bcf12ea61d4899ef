package dev.agentwire.server.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A2A tasks in {@code hub.db} (table {@code a2a_tasks}), so that {@code GetTask} and {@code ListTasks} answer after
 * the hub restarted. JDBC runs on one thread of its own, started by {@link #open}, never on an event loop; each
 * call completes a future. The store keeps at most {@link #KEPT} tasks, the oldest go first.
 */
final class A2aTaskStore implements AutoCloseable {

    /** Tasks kept; older ones are deleted as new ones are written. */
    static final int KEPT = 10_000;

    private final Connection db;
    private final ExecutorService thread;
    private int writes;

    private A2aTaskStore(Connection db, ExecutorService thread) {
        this.db = db;
        this.thread = thread;
    }

    /** Opens (and creates) the table in {@code file}, which the hub already made with mode 0600. */
    static A2aTaskStore open(Path file) throws SQLException {
        try {
            // A hub whose rooms live elsewhere may not have made hub.db: it is the owner's alone, as the room store's.
            java.nio.file.Files.createFile(
                    file,
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // the room store's, or an earlier hub's
        } catch (IOException e) {
            throw new SQLException("cannot create " + file + ": " + e.getMessage(), e);
        }
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (var s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE IF NOT EXISTS a2a_tasks (id TEXT PRIMARY KEY, owner TEXT NOT NULL, service TEXT"
                    + " NOT NULL, context_id TEXT NOT NULL, state TEXT NOT NULL, task TEXT NOT NULL, updated INTEGER"
                    + " NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS a2a_tasks_owner ON a2a_tasks (owner, service, updated)");
        }
        ExecutorService t = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "agentwire-a2a-store");
            th.setDaemon(true);
            return th;
        });
        return new A2aTaskStore(c, t);
    }

    /** Writes the task as it is now. */
    CompletableFuture<Void> put(A2aTask task) {
        var j = task.toJson();
        return CompletableFuture.runAsync(
                () -> {
                    try (PreparedStatement p = db.prepareStatement(
                            "INSERT OR REPLACE INTO a2a_tasks (id, owner, service, context_id, state, task, updated)"
                                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                        p.setString(1, task.id());
                        p.setString(2, task.owner());
                        p.setString(3, task.service());
                        p.setString(4, task.contextId());
                        p.setString(5, j.path("state").asText());
                        p.setString(6, j.toString());
                        p.setLong(7, System.currentTimeMillis());
                        p.executeUpdate();
                        if (++writes % 100 == 0) {
                            try (var s = db.createStatement()) {
                                s.execute("DELETE FROM a2a_tasks WHERE id NOT IN (SELECT id FROM a2a_tasks ORDER BY"
                                        + " updated DESC LIMIT " + KEPT + ")");
                            }
                        }
                    } catch (SQLException e) {
                        throw new IllegalStateException(
                                "cannot store A2A task " + task.id() + ": " + e.getMessage(), e);
                    }
                },
                thread);
    }

    /** The task {@code id} of {@code owner}, if stored. */
    CompletableFuture<Optional<A2aTask>> get(String id, String owner) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (PreparedStatement p =
                            db.prepareStatement("SELECT task FROM a2a_tasks WHERE id = ? AND owner = ?")) {
                        p.setString(1, id);
                        p.setString(2, owner);
                        try (ResultSet r = p.executeQuery()) {
                            return r.next() ? Optional.of(A2aTask.fromJson(read(r.getString(1)))) : Optional.empty();
                        }
                    } catch (SQLException e) {
                        throw new IllegalStateException("cannot read A2A task " + id + ": " + e.getMessage(), e);
                    }
                },
                thread);
    }

    /** Tasks of {@code owner} at {@code service}, newest first, optionally of one context and state. */
    CompletableFuture<List<A2aTask>> list(String owner, String service, String contextId, String state, int limit) {
        return CompletableFuture.supplyAsync(
                () -> {
                    String sql = "SELECT task FROM a2a_tasks WHERE owner = ? AND service = ?"
                            + (contextId != null ? " AND context_id = ?" : "")
                            + (state != null ? " AND state = ?" : "")
                            + " ORDER BY updated DESC LIMIT ?";
                    try (PreparedStatement p = db.prepareStatement(sql)) {
                        int i = 1;
                        p.setString(i++, owner);
                        p.setString(i++, service);
                        if (contextId != null) {
                            p.setString(i++, contextId);
                        }
                        if (state != null) {
                            p.setString(i++, state);
                        }
                        p.setInt(i, limit);
                        List<A2aTask> out = new ArrayList<>();
                        try (ResultSet r = p.executeQuery()) {
                            while (r.next()) {
                                out.add(A2aTask.fromJson(read(r.getString(1))));
                            }
                        }
                        return out;
                    } catch (SQLException e) {
                        throw new IllegalStateException("cannot list A2A tasks: " + e.getMessage(), e);
                    }
                },
                thread);
    }

    private static JsonNode read(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("a stored A2A task is not JSON", e);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
            db.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            // closing anyway
        }
    }
}
