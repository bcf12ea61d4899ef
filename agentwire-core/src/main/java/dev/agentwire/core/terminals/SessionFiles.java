package dev.agentwire.core.terminals;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The files of terminal sessions ({@code control/}, {@code control/<id>/}, {@code session.json},
 * {@code output.cast}): directories 0700 and files 0600, set explicitly after creation so that no umask widens
 * (or narrows) them; files made new ({@code O_CREAT|O_EXCL}, {@code O_NOFOLLOW}) after whatever had the name is
 * removed, so a symbolic link planted where the hub writes is replaced, never followed; a directory that is a link
 * is refused. Stateless.
 */
final class SessionFiles {

    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final OpenOption[] NEW_FILE = {
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS
    };

    private SessionFiles() {}

    /** Makes {@code dir} (mode 0700) or, if it exists, checks that it is a directory and not a link, then sets 0700. */
    static void privateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, attributes(DIRECTORY));
        } catch (FileAlreadyExistsException e) {
            BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                throw new IOException(dir + " is " + (a.isSymbolicLink() ? "a symbolic link" : "not a directory")
                        + "; the hub keeps terminal files only in a directory of its own");
            }
        }
        setMode(dir, DIRECTORY);
    }

    /**
     * Replaces {@code target}'s content: writes {@code target.tmp} (new, 0600; a file or link of that name is
     * removed first, not followed), then renames it over {@code target} (a link there is replaced, not followed).
     */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (SeekableByteChannel out = Files.newByteChannel(tmp, Set.of(NEW_FILE), attributes(FILE))) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                out.write(b);
            }
        }
        setMode(tmp, FILE);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A new, empty {@code file} (0600) to write text to; a file or link of that name is removed first, not followed. */
    static Writer newWriter(Path file) throws IOException {
        Files.deleteIfExists(file);
        SeekableByteChannel out = Files.newByteChannel(file, Set.of(NEW_FILE), attributes(FILE));
        try {
            setMode(file, FILE);
        } catch (IOException e) {
            out.close();
            throw e;
        }
        return new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(out), StandardCharsets.UTF_8));
    }

    /** Removes {@code dir} and everything in it; links in it are removed, not followed. Best effort. */
    static void removeTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // gone already, or not ours to remove: the next start tries again
        }
    }

    /** Reads {@code file}, refusing a symbolic link. */
    static InputStream read(Path file) throws IOException {
        return Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    /** Sets {@code path}'s mode to exactly {@code mode}, without following a link (a link fails). */
    static void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
        if (POSIX) {
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setPermissions(mode);
        }
    }

    private static FileAttribute<?>[] attributes(Set<PosixFilePermission> mode) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)} : new FileAttribute<?>[0];
    }
}
