package dev.agentwire.server.home;

import dev.agentwire.server.HubStartException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes small state files in {@code AGENTWIRE_HOME}: written whole or not at all with mode 0600
 * (whatever the umask), read without following a link. Stateless and thread safe.
 */
final class AtomicFiles {

    /** The most a state file may hold: they are all a few kilobytes. */
    static final int MAX_BYTES = 16 << 20;

    private AtomicFiles() {}

    /**
     * Replaces {@code file} with {@code text}: a 0600 temporary file beside it, moved over it (a link there is
     * replaced, not followed).
     *
     * @throws UncheckedIOException naming the file when it cannot be written
     */
    static void write(Path file, String text) {
        try {
            Path tmp = Files.createTempFile(
                    file.getParent(),
                    "." + file.getFileName(),
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * The text of {@code file}, or empty when there is none. Opened with {@code O_NOFOLLOW}: a link planted in its
     * place is refused, not followed.
     *
     * @throws HubStartException naming the file when it is a link, too large or cannot be read
     */
    static Optional<String> read(Path file) {
        try (SeekableByteChannel ch =
                        Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
                InputStream in = Channels.newInputStream(ch)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new HubStartException(file + " is larger (over " + MAX_BYTES + " bytes) than a state file of the"
                        + " hub can be; move it away");
            }
            return Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (Files.isSymbolicLink(file)) {
                throw new HubStartException(file + " is a symbolic link: the hub does not follow links in its home;"
                        + " remove it (rm " + file + ")");
            }
            throw new HubStartException("cannot read " + file + ": " + e, e);
        }
    }
}
