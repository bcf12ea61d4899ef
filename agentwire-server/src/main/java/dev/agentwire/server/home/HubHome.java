package dev.agentwire.server.home;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.HubStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's directory: made 0700 (whatever the umask), holding {@code token} and {@code hub.json} (0600) beside
 * the other state files. {@link #prepare()} resolves it once to its real path and refuses it unless
 * {@link HomeTrust} finds nothing another user planted or could swap; from then on {@link #dir()} is that real
 * path, so a link changed later changes nothing. Not thread safe; used by the hub's start and stop only.
 */
public final class HubHome {

    private static final Logger log = LoggerFactory.getLogger(HubHome.class);
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Path given;
    private final HomeTrust trust;
    private Path dir;

    public HubHome(Path dir) {
        this(dir, HomeTrust.forThisUser());
    }

    HubHome(Path dir, HomeTrust trust) {
        this.given = dir.toAbsolutePath();
        this.dir = given;
        this.trust = trust;
    }

    /** {@code AGENTWIRE_HOME}, else {@code ~/.agentwire}. */
    public static Path locate(Map<String, String> env) {
        String home = env.get("AGENTWIRE_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".agentwire");
    }

    /** The home: its real path once {@link #prepare()} has run, the path as given before. */
    public Path dir() {
        return dir;
    }

    public Path tokenFile() {
        return dir.resolve("token");
    }

    public Path hubJson() {
        return dir.resolve("hub.json");
    }

    /**
     * Makes the home (and missing parents) 0700 if it is not there, resolves its real path, and refuses it with
     * the reasons when {@link HomeTrust} finds problems. A home readable by others is tightened to 0700, and state
     * files of ours with a wider mode to 0600 (an earlier hub's); a home writable by others is refused, never
     * tightened: what is in it may not be ours.
     */
    public void prepare() {
        refuseIf(trust.checkPath(given));
        makeMissing(given);
        Path real;
        try {
            real = given.toRealPath();
        } catch (IOException e) {
            throw new HubStartException("cannot resolve AGENTWIRE_HOME " + given + ": " + e, e);
        }
        refuseIf(trust.checkHome(real));
        refuseIf(trust.checkEntries(real));
        dir = real;
        if (!real.equals(given)) {
            log.info("AGENTWIRE_HOME {} is {}; the hub uses that path from now on", given, real);
        }
        tighten(real, DIR_MODE, "others could read it");
        for (String name : HomeTrust.STATE_FILES) {
            Path file = real.resolve(name);
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                tighten(file, FILE_MODE, "an earlier hub left it wider");
            }
        }
        Path agents = real.resolve(HomeTrust.AGENTS);
        if (Files.isDirectory(agents, LinkOption.NOFOLLOW_LINKS)) {
            tighten(agents, DIR_MODE, "an earlier hub left it wider");
        }
    }

    private static void refuseIf(List<HomeTrust.Problem> problems) {
        if (!problems.isEmpty()) {
            throw new HubStartException(
                    problems.stream().map(HomeTrust.Problem::message).collect(Collectors.joining("\n")));
        }
    }

    /** Makes the missing directories of {@code path}, each 0700 whatever the umask. */
    private static void makeMissing(Path path) {
        List<Path> missing = new ArrayList<>();
        for (Path p = path; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p, PosixFilePermissions.asFileAttribute(DIR_MODE));
                Files.setPosixFilePermissions(p, DIR_MODE); // the umask may have taken bits away
            } catch (FileAlreadyExistsException e) {
                // made by someone else meanwhile: the checks that follow judge it
            } catch (IOException e) {
                throw new HubStartException("cannot create AGENTWIRE_HOME " + path + ": " + e, e);
            }
        }
    }

    private static void tighten(Path p, Set<PosixFilePermission> mode, String why) {
        try {
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            if (!now.equals(mode)) {
                log.warn(
                        "tightening {} from {} to {} ({})",
                        p,
                        PosixFilePermissions.toString(now),
                        PosixFilePermissions.toString(mode),
                        why);
                Files.setPosixFilePermissions(p, mode);
            }
        } catch (IOException e) {
            throw new HubStartException("cannot set the mode of " + p + ": " + e, e);
        }
    }

    /** The uid that owns the home directory: the hub owner. */
    public OptionalInt ownerUid() {
        try {
            return OptionalInt.of((Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return OptionalInt.empty();
        }
    }

    /** The shared secret: read from {@code token}, or a new 256-bit random one written there with mode 0600. */
    public String token() {
        Path file = tokenFile();
        Optional<String> existing = AtomicFiles.read(file);
        if (existing.isPresent()) {
            String token = existing.get().trim();
            if (token.length() < 32) {
                throw new HubStartException("token file " + file + " holds fewer than 32 characters; delete it"
                        + " and a new one will be made");
            }
            return token;
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        try {
            AtomicFiles.write(file, token + "\n");
        } catch (UncheckedIOException e) {
            throw new HubStartException("cannot create the token file " + file + ": " + e.getCause(), e);
        }
        return token;
    }

    /** Writes {@code hub.json} atomically with mode 0600. */
    public void writeHubJson(ObjectNode info) {
        try {
            AtomicFiles.write(
                    hubJson(), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(info) + "\n");
        } catch (IOException | UncheckedIOException e) {
            throw new HubStartException("cannot write " + hubJson() + ": " + e, e);
        }
    }

    /** Removes {@code hub.json} if it still describes process {@code pid}. */
    public void removeHubJson(long pid) {
        try {
            Optional<String> text = AtomicFiles.read(hubJson());
            if (text.isPresent()
                    && Json.mapper().readTree(text.get()).path("pid").asLong() == pid) {
                Files.delete(hubJson());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot remove {}: {}", hubJson(), e.toString());
        }
    }
}
