package dev.agentwire.server.home;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.HubStartException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's directory: created 0700, holding {@code token} (0600) and {@code hub.json} (0600). Not thread safe;
 * used by the hub's start and stop only.
 */
public final class HubHome {

    private static final Logger log = LoggerFactory.getLogger(HubHome.class);
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    public HubHome(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** {@code AGENTWIRE_HOME}, else {@code ~/.agentwire}. */
    public static Path locate(Map<String, String> env) {
        String home = env.get("AGENTWIRE_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".agentwire");
    }

    public Path dir() {
        return dir;
    }

    public Path tokenFile() {
        return dir.resolve("token");
    }

    public Path hubJson() {
        return dir.resolve("hub.json");
    }

    /** Creates the directory (0700) or checks that an existing one is ours, tightening its mode if needed. */
    public void prepare() {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
            }
            if (!Files.isDirectory(dir)) {
                throw new HubStartException("AGENTWIRE_HOME " + dir + " exists and is not a directory");
            }
            int ownUid = currentUid();
            int dirUid = (Integer) Files.getAttribute(dir, "unix:uid");
            if (ownUid >= 0 && dirUid != ownUid) {
                throw new HubStartException("AGENTWIRE_HOME " + dir + " belongs to uid " + dirUid
                        + ", not to this user (uid " + ownUid + "); use your own directory");
            }
            if (!Files.getPosixFilePermissions(dir).equals(DIR_MODE)) {
                log.warn("tightening {} to mode 0700", dir);
                Files.setPosixFilePermissions(dir, DIR_MODE);
            }
        } catch (IOException e) {
            throw new HubStartException("cannot prepare AGENTWIRE_HOME " + dir + ": " + e, e);
        }
    }

    /** The uid that owns the home directory: the hub owner. */
    public OptionalInt ownerUid() {
        try {
            return OptionalInt.of((Integer) Files.getAttribute(dir, "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return OptionalInt.empty();
        }
    }

    /** The shared secret: read from {@code token}, or a new 256-bit random one written there with mode 0600. */
    public String token() {
        Path file = tokenFile();
        try {
            if (Files.exists(file)) {
                if (!Files.getPosixFilePermissions(file).equals(FILE_MODE)) {
                    log.warn("tightening {} to mode 0600", file);
                    Files.setPosixFilePermissions(file, FILE_MODE);
                }
                String token = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (token.length() < 32) {
                    throw new HubStartException("token file " + file + " holds fewer than 32 characters; delete it"
                            + " and a new one will be made");
                }
                return token;
            }
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String token = HexFormat.of().formatHex(bytes);
            writePrivate(file, token + "\n");
            return token;
        } catch (IOException e) {
            throw new HubStartException("cannot read or create the token file " + file + ": " + e, e);
        }
    }

    /** Writes {@code hub.json} atomically with mode 0600. */
    public void writeHubJson(ObjectNode info) {
        try {
            writePrivate(
                    hubJson(), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n");
        } catch (IOException e) {
            throw new HubStartException("cannot write " + hubJson() + ": " + e, e);
        }
    }

    /** Removes {@code hub.json} if it still describes process {@code pid}. */
    public void removeHubJson(long pid) {
        try {
            Path file = hubJson();
            if (Files.exists(file)
                    && Json.mapper().readTree(file.toFile()).path("pid").asLong() == pid) {
                Files.delete(file);
            }
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", hubJson(), e.toString());
        }
    }

    private void writePrivate(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(
                dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(FILE_MODE));
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }
}
