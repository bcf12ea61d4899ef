package dev.agentwire.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.rooms.Store;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.HubStartException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Room history in SQLite ({@code hub.db}, mode 0600): WAL journal, {@code synchronous=FULL}, one transaction
 * per batch, so an acknowledged message survives {@code kill -9} and a batch costs one fsync. Used from one
 * thread (the rooms sequencer); not thread safe.
 */
public final class SqliteStore implements Store {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Client message ids looked up by one query. */
    private static final int LOOKUP_CHUNK = 64;

    private final Connection db;
    private final Map<String, RoomState> rooms = new HashMap<>();
    private final PreparedStatement insert;
    private final PreparedStatement findClientIds;
    private final PreparedStatement saveRoom;

    private SqliteStore(Connection db) throws SQLException {
        this.db = db;
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("CREATE TABLE IF NOT EXISTS rooms (name TEXT PRIMARY KEY, epoch INTEGER NOT NULL,"
                    + " last_offset INTEGER NOT NULL, first_offset INTEGER NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS messages (room TEXT NOT NULL, offset INTEGER NOT NULL,"
                    + " id TEXT NOT NULL, sender TEXT NOT NULL, text TEXT, data TEXT, ts INTEGER NOT NULL,"
                    + " client_id TEXT, PRIMARY KEY (room, offset))");
            s.execute("CREATE INDEX IF NOT EXISTS messages_client ON messages(room, sender, client_id)");
        }
        db.setAutoCommit(false);
        insert = db.prepareStatement(
                "INSERT INTO messages (room, offset, id, sender, text, data, ts, client_id) VALUES (?,?,?,?,?,?,?,?)");
        findClientIds = db.prepareStatement("SELECT client_id, offset, id, sender, text, data, ts FROM messages"
                + " WHERE room=? AND sender=? AND client_id IN (" + "?,".repeat(LOOKUP_CHUNK - 1) + "?)");
        saveRoom = db.prepareStatement(
                "INSERT INTO rooms (name, epoch, last_offset, first_offset) VALUES (?,?,?,?) ON CONFLICT(name) DO UPDATE"
                        + " SET epoch=excluded.epoch, last_offset=excluded.last_offset, first_offset=excluded.first_offset");
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT name, epoch, last_offset, first_offset FROM rooms")) {
            while (r.next()) {
                rooms.put(r.getString(1), new RoomState(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4)));
            }
        }
        db.commit();
    }

    /** Opens the database at {@code file} as {@link HubDb#connect} does. */
    public static SqliteStore open(Path file) {
        try {
            return new SqliteStore(HubDb.connect(file, "its rooms"));
        } catch (SQLException e) {
            throw new HubStartException("cannot open the room store " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Stored> append(List<Append> batch) {
        List<Stored> out = new ArrayList<>(batch.size());
        Map<String, RoomState> touched = new HashMap<>();
        try {
            // New rooms are created (and committed) before the batch's first insert, never in the middle of it.
            for (Append a : batch) {
                touched.computeIfAbsent(a.room(), this::room);
            }
            Map<ClientKey, Stored> earlier = stored(batch, touched);
            int inserts = 0;
            for (Append a : batch) {
                Optional<ClientKey> key = a.clientMessageId().map(id -> new ClientKey(a.room(), a.from(), id));
                Stored before = key.map(earlier::get).orElse(null);
                if (before != null) {
                    out.add(before);
                    continue;
                }
                RoomState state = touched.get(a.room());
                long offset = state.lastOffset() + 1;
                JsonNode data = a.data() == null ? Json.mapper().missingNode() : a.data();
                insert.setString(1, a.room());
                insert.setLong(2, offset);
                insert.setString(3, a.id());
                insert.setString(4, a.from());
                insert.setString(5, a.text());
                insert.setString(6, data.isMissingNode() ? null : data.toString());
                insert.setLong(7, a.ts());
                insert.setString(8, a.clientMessageId().orElse(null));
                insert.addBatch();
                inserts++;
                touched.put(a.room(), new RoomState(a.room(), state.epoch(), offset, state.firstOffset()));
                out.add(new Stored(
                        a.room(), offset, state.epoch(), a.id(), a.from(), a.text(), a.data(), a.ts(), false));
                // The same client message id again in this batch (a retry sent before the first was acknowledged):
                // the duplicate reads as it would from the table.
                key.ifPresent(k -> earlier.put(
                        k,
                        new Stored(a.room(), offset, state.epoch(), a.id(), a.from(), a.text(), data, a.ts(), true)));
            }
            if (inserts > 0) {
                insert.executeBatch();
            }
            for (RoomState s : touched.values()) {
                if (s != rooms.get(s.room())) {
                    save(s);
                }
            }
            db.commit();
            rooms.putAll(touched);
            return out;
        } catch (SQLException | RuntimeException e) {
            clearBatch();
            rollback();
            throw new IllegalStateException("storing " + batch.size() + " messages failed: " + e.getMessage(), e);
        }
    }

    /** A message's idempotency key: its room, its sender and the client message id the sender gave it. */
    private record ClientKey(String room, String sender, String clientMessageId) {}

    /**
     * The messages already stored under the batch's client message ids, as duplicates: one query per room and
     * sender for up to {@link #LOOKUP_CHUNK} ids (the index on room, sender and client id answers each id).
     */
    private Map<ClientKey, Stored> stored(List<Append> batch, Map<String, RoomState> states) throws SQLException {
        Map<List<String>, List<String>> ids = new LinkedHashMap<>();
        for (Append a : batch) {
            a.clientMessageId()
                    .ifPresent(id -> ids.computeIfAbsent(List.of(a.room(), a.from()), k -> new ArrayList<>())
                            .add(id));
        }
        Map<ClientKey, Stored> found = new HashMap<>();
        for (var e : ids.entrySet()) {
            String room = e.getKey().get(0);
            String sender = e.getKey().get(1);
            List<String> list = e.getValue();
            for (int from = 0; from < list.size(); from += LOOKUP_CHUNK) {
                findClientIds.setString(1, room);
                findClientIds.setString(2, sender);
                for (int i = 0; i < LOOKUP_CHUNK; i++) {
                    // Unused places are NULL, which no client_id IN (...) matches.
                    findClientIds.setString(3 + i, from + i < list.size() ? list.get(from + i) : null);
                }
                try (ResultSet r = findClientIds.executeQuery()) {
                    while (r.next()) {
                        found.put(
                                new ClientKey(room, sender, r.getString(1)),
                                new Stored(
                                        room,
                                        r.getLong(2),
                                        states.get(room).epoch(),
                                        r.getString(3),
                                        r.getString(4),
                                        r.getString(5),
                                        parse(r.getString(6)),
                                        r.getLong(7),
                                        true));
                    }
                }
            }
        }
        return found;
    }

    private void clearBatch() {
        try {
            insert.clearBatch();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    @Override
    public RoomState room(String room) {
        RoomState s = rooms.get(room);
        if (s != null) {
            return s;
        }
        s = new RoomState(room, RANDOM.nextLong() & Store.MAX_EPOCH, 0, 1);
        try {
            save(s);
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("creating room " + room + " failed: " + e.getMessage(), e);
        }
        rooms.put(room, s);
        return s;
    }

    @Override
    public List<RoomState> rooms() {
        return List.copyOf(rooms.values());
    }

    @Override
    public List<Stored> after(String room, long afterOffset, int limit) {
        return query(
                room,
                "SELECT offset, id, sender, text, data, ts FROM messages WHERE room=? AND offset>? ORDER BY offset LIMIT ?",
                afterOffset,
                limit,
                false);
    }

    @Override
    public List<Stored> before(String room, long beforeOffset, int limit) {
        return query(
                room,
                "SELECT offset, id, sender, text, data, ts FROM messages WHERE room=? AND offset<? ORDER BY offset DESC LIMIT ?",
                beforeOffset,
                limit,
                true);
    }

    private List<Stored> query(String room, String sql, long offset, int limit, boolean reverse) {
        RoomState state = room(room);
        List<Stored> out = new ArrayList<>();
        try (PreparedStatement q = db.prepareStatement(sql)) {
            q.setString(1, room);
            q.setLong(2, offset);
            q.setInt(3, limit);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    out.add(new Stored(
                            room,
                            r.getLong(1),
                            state.epoch(),
                            r.getString(2),
                            r.getString(3),
                            r.getString(4),
                            parse(r.getString(5)),
                            r.getLong(6),
                            false));
                }
            }
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("reading room " + room + " failed: " + e.getMessage(), e);
        }
        if (reverse) {
            java.util.Collections.reverse(out);
        }
        return out;
    }

    /**
     * Up to {@code limit} messages of {@code room} after {@code afterOffset}, oldest first, as they were appended
     * (with their client message ids): what a cluster's outbox hands to Redis when it is back.
     */
    public List<Append> appendsAfter(String room, long afterOffset, int limit) {
        List<Append> out = new ArrayList<>();
        try (PreparedStatement q = db.prepareStatement("SELECT id, sender, text, data, ts, client_id FROM messages"
                + " WHERE room=? AND offset>? ORDER BY offset LIMIT ?")) {
            q.setString(1, room);
            q.setLong(2, afterOffset);
            q.setInt(3, limit);
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    out.add(new Append(
                            room,
                            r.getString(1),
                            r.getString(2),
                            r.getString(3),
                            parse(r.getString(4)),
                            r.getLong(5),
                            Optional.ofNullable(r.getString(6))));
                }
            }
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("reading room " + room + " failed: " + e.getMessage(), e);
        }
        return out;
    }

    /** Removes every room and message (an outbox, once Redis has them all). */
    public void clear() {
        try (Statement s = db.createStatement()) {
            s.executeUpdate("DELETE FROM messages");
            s.executeUpdate("DELETE FROM rooms");
            db.commit();
            rooms.clear();
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("clearing the store failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void trim(String room, int maxMessages, long minTs) {
        RoomState s = room(room);
        long keepFrom = Math.max(s.firstOffset(), s.lastOffset() - maxMessages + 1);
        try (PreparedStatement d = db.prepareStatement("DELETE FROM messages WHERE room=? AND (offset<? OR ts<?)")) {
            d.setString(1, room);
            d.setLong(2, keepFrom);
            d.setLong(3, minTs);
            d.executeUpdate();
            long first;
            try (PreparedStatement q = db.prepareStatement("SELECT MIN(offset) FROM messages WHERE room=?")) {
                q.setString(1, room);
                try (ResultSet r = q.executeQuery()) {
                    first = r.next() && r.getObject(1) != null ? r.getLong(1) : s.lastOffset() + 1;
                }
            }
            RoomState next = new RoomState(room, s.epoch(), s.lastOffset(), first);
            save(next);
            db.commit();
            rooms.put(room, next);
        } catch (SQLException e) {
            rollback();
            throw new IllegalStateException("trimming room " + room + " failed: " + e.getMessage(), e);
        }
    }

    private void save(RoomState s) throws SQLException {
        saveRoom.setString(1, s.room());
        saveRoom.setLong(2, s.epoch());
        saveRoom.setLong(3, s.lastOffset());
        saveRoom.setLong(4, s.firstOffset());
        saveRoom.executeUpdate();
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return Json.mapper().missingNode();
        }
        try {
            return Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored message has unreadable data: " + e.getOriginalMessage(), e);
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    @Override
    public void close() {
        try {
            insert.close();
            findClientIds.close();
            saveRoom.close();
            db.close();
        } catch (SQLException e) {
            // closing anyway
        }
    }
}
