package dev.agentwire.server.store;

import dev.agentwire.server.HubStartException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Set;

/**
 * Opens {@code hub.db}, which the room store, the call log and the session store share, the same safe way for each:
 * the file is made with mode 0600 (whatever the umask) before SQLite sees it, as SQLite gives {@code -wal} and
 * {@code -shm} the database's mode; a link in its place is refused ({@code SQLITE_OPEN_NOFOLLOW} too); a database,
 * {@code -wal} or {@code -shm} left wider by an earlier hub is tightened to 0600.
 */
final class HubDb {

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    /** SQLite's {@code SQLITE_OPEN_READWRITE}. */
    private static final int OPEN_READWRITE = 0x00000002;
    /** SQLite's {@code SQLITE_OPEN_NOFOLLOW} (3.31): the database path may not be a link. */
    private static final int OPEN_NOFOLLOW = 0x01000000;

    private HubDb() {}

    /**
     * A connection to {@code file}.
     *
     * @param what what the hub keeps there, for the error ("its rooms", "its call log", "its sessions")
     * @throws HubStartException if it cannot be opened
     */
    static Connection connect(Path file, String what) {
        try {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE));
                Files.setPosixFilePermissions(file, PRIVATE);
            } catch (FileAlreadyExistsException e) {
                // another store's, or an earlier hub's
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new HubStartException(
                        file + (Files.isSymbolicLink(file) ? " is a symbolic link" : " is not a file")
                                + ": the hub keeps " + what + " there and does not follow links; remove it");
            }
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Path f = file.resolveSibling(file.getFileName() + suffix);
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                        && !Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS)
                                .equals(PRIVATE)) {
                    Files.setPosixFilePermissions(f, PRIVATE);
                }
            }
            Properties props = new Properties();
            props.setProperty("open_mode", Integer.toString(OPEN_READWRITE | OPEN_NOFOLLOW));
            // Nothing reads generated keys; with them on, sqlite-jdbc runs "SELECT last_insert_rowid()" (a statement
            // prepared anew) after every insert.
            props.setProperty("jdbc.get_generated_keys", "false");
            return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), props);
        } catch (IOException | SQLException e) {
            throw new HubStartException(
                    "cannot open " + file + ", where the hub keeps " + what + ": " + e.getMessage(), e);
        }
    }
}
