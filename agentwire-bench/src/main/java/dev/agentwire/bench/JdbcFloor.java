package dev.agentwire.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

/**
 * The floor under durable room publishes: the rows the hub's rooms write, written by plain JDBC (sqlite-jdbc) in
 * one thread, a batch per transaction, with nothing else to do. Same tables, index and pragmas as
 * {@code SqliteStore} (WAL, {@code synchronous=FULL}): each batch inserts its messages (spread over the rooms as
 * the publishers spread them, each with a client message id as the Java client sends), saves each room's newest
 * offset, and commits (one fsync). The inserts go as one JDBC batch ({@code addBatch}/{@code executeBatch}),
 * generated keys off (sqlite-jdbc would otherwise query {@code last_insert_rowid()} after each insert). It does not look the client message ids up first: that is work the hub does
 * for idempotency, which this floor leaves out.
 *
 * <p>Not thread safe; one floor per database file. The rooms' offsets go on from where the last call left them,
 * so the database grows across rounds as the hub's does.
 */
final class JdbcFloor implements AutoCloseable {

    private final Connection db;
    private final PreparedStatement insert;
    private final PreparedStatement saveRoom;
    private long[] offsets = new long[0];

    private JdbcFloor(Connection db) throws SQLException {
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
        saveRoom = db.prepareStatement(
                "INSERT INTO rooms (name, epoch, last_offset, first_offset) VALUES (?,?,?,?) ON CONFLICT(name) DO UPDATE"
                        + " SET epoch=excluded.epoch, last_offset=excluded.last_offset, first_offset=excluded.first_offset");
        db.commit();
    }

    /** Opens (creating) the floor's database at {@code file}. */
    static JdbcFloor open(Path file) throws SQLException {
        Properties props = new Properties();
        props.setProperty("jdbc.get_generated_keys", "false");
        return new JdbcFloor(DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props));
    }

    /**
     * Writes {@code messages} messages of {@code text} from {@code sender}, spread round robin over {@code rooms}
     * rooms ({@code acked-0}, ...), {@code batchSize} to a transaction; returns messages per second.
     */
    double write(int messages, int batchSize, int rooms, String sender, String text) throws SQLException {
        if (offsets.length < rooms) {
            offsets = loadOffsets(rooms);
        }
        long start = System.nanoTime();
        int done = 0;
        int next = 0;
        while (done < messages) {
            int n = Math.min(batchSize, messages - done);
            boolean[] touched = new boolean[rooms];
            for (int i = 0; i < n; i++) {
                int room = next;
                next = (next + 1) % rooms;
                touched[room] = true;
                insert.setString(1, "acked-" + room);
                insert.setLong(2, ++offsets[room]);
                insert.setString(3, UUID.randomUUID().toString());
                insert.setString(4, sender);
                insert.setString(5, text);
                insert.setString(6, null);
                insert.setLong(7, System.currentTimeMillis());
                insert.setString(8, UUID.randomUUID().toString());
                insert.addBatch();
            }
            insert.executeBatch();
            for (int r = 0; r < rooms; r++) {
                if (touched[r]) {
                    saveRoom.setString(1, "acked-" + r);
                    saveRoom.setLong(2, 1);
                    saveRoom.setLong(3, offsets[r]);
                    saveRoom.setLong(4, 1);
                    saveRoom.executeUpdate();
                }
            }
            db.commit();
            done += n;
        }
        return messages * 1e9 / (System.nanoTime() - start);
    }

    private long[] loadOffsets(int rooms) throws SQLException {
        long[] out = new long[rooms];
        try (PreparedStatement q = db.prepareStatement("SELECT last_offset FROM rooms WHERE name=?")) {
            for (int r = 0; r < rooms; r++) {
                q.setString(1, "acked-" + r);
                try (ResultSet rs = q.executeQuery()) {
                    out[r] = rs.next() ? rs.getLong(1) : 0;
                }
            }
        }
        db.commit();
        return out;
    }

    @Override
    public void close() throws SQLException {
        insert.close();
        saveRoom.close();
        db.close();
    }
}
