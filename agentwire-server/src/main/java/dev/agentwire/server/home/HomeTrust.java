package dev.agentwire.server.home;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Judges whether a hub home, the way to it and what is in it can be trusted by the user {@code uid}: nothing
 * another user could have planted or could still swap. The hub refuses to start on any problem (through
 * {@link HubHome#prepare()}); {@code aw doctor} prints them with their fixes. Reads attributes without following
 * links; changes nothing. Immutable and thread safe.
 *
 * <p>The rules: every link on the way to the home belongs to this user or root (whoever owns a link can point it
 * elsewhere); every directory above the real home belongs to this user or root and is not writable by group or
 * others unless sticky (else its writer could rename the home away and put theirs in its place); the home is a
 * directory of this user, not writable by group or others; everything in it belongs to this user; the state
 * files ({@link #STATE_FILES}) are regular files, not links.
 */
public final class HomeTrust {

    /** The files the hub keeps in its home and reads back. */
    public static final List<String> STATE_FILES =
            List.of("token", "hub.json", "hub.db", "hub.db-wal", "hub.db-shm", "revoked.json", "router-spend.json");

    /** The directory of the per-service sockets. */
    public static final String AGENTS = "agents";

    private static final int MAX_LINKS = 40;
    private static final int GROUP_OTHERS_WRITE = 0022;
    private static final int STICKY = 01000;
    private static final int TYPE_MASK = 0170000;
    private static final int TYPE_DIR = 0040000;
    private static final int TYPE_LINK = 0120000;
    private static final int TYPE_FILE = 0100000;

    /**
     * Why a path is not trusted, and what to do about it.
     *
     * @param path the path at fault
     * @param reason what is wrong, naming the path and the owner or mode
     * @param fix what the user can do
     */
    public record Problem(Path path, String reason, String fix) {
        /** The reason and the fix in one sentence, for an error message. */
        public String message() {
            return reason + "; " + fix;
        }
    }

    private final int uid;

    /** Judges for the user {@code uid} (root's files and links are trusted too). */
    public HomeTrust(int uid) {
        this.uid = uid;
    }

    /** Judges for the user this process runs as. */
    public static HomeTrust forThisUser() {
        return new HomeTrust((int) new com.sun.security.auth.module.UnixSystem().getUid());
    }

    public int uid() {
        return uid;
    }

    /**
     * Problems on the way to {@code home} (absolute): links of another user, and directories above it another
     * user may change. Where the home does not exist yet, the part that exists is judged (the hub makes the rest).
     */
    public List<Problem> checkPath(Path home) {
        List<Problem> problems = new ArrayList<>();
        Path given = home.toAbsolutePath();
        Deque<String> todo = new ArrayDeque<>();
        given.forEach(name -> todo.add(name.toString()));
        Path at = given.getRoot();
        boolean complete = true;
        int links = 0;
        try {
            while (!todo.isEmpty()) {
                String name = todo.pop();
                if (name.equals(".")) {
                    continue;
                }
                if (name.equals("..")) {
                    at = at.getParent() == null ? at : at.getParent();
                    continue;
                }
                Path next = at.resolve(name);
                Optional<Stat> stat = stat(next);
                if (stat.isEmpty()) {
                    complete = false;
                    break;
                }
                if (stat.get().type() != TYPE_LINK) {
                    at = next;
                    continue;
                }
                if (!trustedOwner(stat.get().uid())) {
                    problems.add(new Problem(
                            next,
                            "AGENTWIRE_HOME " + given + ": " + next + " is a symbolic link owned by uid "
                                    + stat.get().uid() + ", who could point it elsewhere",
                            "set AGENTWIRE_HOME to a directory of your own, not through another user's link"));
                }
                if (++links > MAX_LINKS) {
                    problems.add(new Problem(
                            next,
                            "AGENTWIRE_HOME " + given + ": more than " + MAX_LINKS + " symbolic links on the way",
                            "set AGENTWIRE_HOME to the directory itself"));
                    return problems;
                }
                Path target = Files.readSymbolicLink(next);
                List<String> names = new ArrayList<>();
                target.forEach(n -> names.add(n.toString()));
                for (int i = names.size() - 1; i >= 0; i--) {
                    todo.push(names.get(i));
                }
                if (target.isAbsolute()) {
                    at = target.getRoot();
                }
            }
        } catch (IOException e) {
            problems.add(
                    new Problem(given, "cannot read the way to AGENTWIRE_HOME " + given + ": " + e, "check the path"));
            return problems;
        }
        // Above the real home, or from the last existing directory up when the home is still to be made.
        for (Path dir = complete ? at.getParent() : at; dir != null; dir = dir.getParent()) {
            checkAbove(given, dir, problems);
        }
        return problems;
    }

    private void checkAbove(Path home, Path dir, List<Problem> problems) {
        Optional<Stat> stat;
        try {
            stat = stat(dir);
        } catch (IOException e) {
            problems.add(new Problem(dir, "cannot read " + dir + ": " + e, "check the path"));
            return;
        }
        if (stat.isEmpty()) {
            return;
        }
        Stat s = stat.get();
        if (!trustedOwner(s.uid())) {
            problems.add(new Problem(
                    dir,
                    "AGENTWIRE_HOME " + home + ": " + dir + " belongs to uid " + s.uid()
                            + ", who could replace the home",
                    "use a home under directories of your own (or root's)"));
        } else if ((s.mode() & GROUP_OTHERS_WRITE) != 0 && (s.mode() & STICKY) == 0) {
            problems.add(new Problem(
                    dir,
                    "AGENTWIRE_HOME " + home + ": " + dir + " is " + writableBy(s.mode()) + " (" + rwx(s.mode())
                            + ") and not sticky, so another user could replace the home",
                    "chmod go-w " + dir + " (or chmod +t), or use a home elsewhere"));
        }
    }

    /** Problems with the home directory itself ({@code realHome}: its real path): owner, type and mode. */
    public List<Problem> checkHome(Path realHome) {
        Optional<Stat> stat;
        try {
            stat = stat(realHome);
        } catch (IOException e) {
            return List.of(new Problem(realHome, "cannot read AGENTWIRE_HOME " + realHome + ": " + e, "check it"));
        }
        if (stat.isEmpty()) {
            return List.of(new Problem(
                    realHome, "AGENTWIRE_HOME " + realHome + " does not exist", "start the hub once (aw hub)"));
        }
        Stat s = stat.get();
        if (s.type() != TYPE_DIR) {
            return List.of(new Problem(
                    realHome,
                    "AGENTWIRE_HOME " + realHome + " exists and is not a directory",
                    "move it away or set AGENTWIRE_HOME to a directory"));
        }
        if (s.uid() != uid) {
            return List.of(new Problem(
                    realHome,
                    "AGENTWIRE_HOME " + realHome + " belongs to uid " + s.uid() + ", not to this user (uid " + uid
                            + ")",
                    "use your own directory"));
        }
        if ((s.mode() & GROUP_OTHERS_WRITE) != 0) {
            return List.of(new Problem(
                    realHome,
                    "AGENTWIRE_HOME " + realHome + " is " + writableBy(s.mode()) + " (" + rwx(s.mode())
                            + "): files in it may be another user's, and the hub does not use files it did not make",
                    "look at what is in it; then chmod 700 " + realHome
                            + ", or move it away and let the hub make a new one"));
        }
        return List.of();
    }

    /**
     * Problems with what is in {@code realHome}: entries (and entries of {@code agents/}) of another uid, and
     * state files that are links or not regular files. The terminals' {@code control/} is judged by its owner
     * only; what is inside it is the terminal service's.
     */
    public List<Problem> checkEntries(Path realHome) {
        List<Problem> problems = new ArrayList<>();
        try {
            checkOwners(realHome, problems);
            for (String name : STATE_FILES) {
                Path file = realHome.resolve(name);
                Optional<Stat> stat = stat(file);
                if (stat.isPresent() && stat.get().type() == TYPE_LINK) {
                    problems.add(new Problem(
                            file,
                            file + " is a symbolic link: the hub does not follow links in its home",
                            "remove it (rm " + file + "); the hub makes its own files"));
                } else if (stat.isPresent() && stat.get().type() != TYPE_FILE) {
                    problems.add(new Problem(
                            file, file + " is not a regular file", "move it away; the hub makes its own files"));
                }
            }
            Path agents = realHome.resolve(AGENTS);
            Optional<Stat> stat = stat(agents);
            if (stat.isPresent() && stat.get().type() != TYPE_DIR) {
                problems.add(new Problem(
                        agents,
                        agents + " is not a directory" + (stat.get().type() == TYPE_LINK ? " (a symbolic link)" : ""),
                        "remove it (rm " + agents + "); the hub makes its own"));
            } else if (stat.isPresent() && stat.get().uid() == uid) {
                checkOwners(agents, problems);
            }
        } catch (IOException e) {
            problems.add(new Problem(realHome, "cannot list AGENTWIRE_HOME " + realHome + ": " + e, "check it"));
        }
        return problems;
    }

    private void checkOwners(Path dir, List<Problem> problems) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Optional<Stat> stat = stat(entry);
                if (stat.isPresent() && stat.get().uid() != uid) {
                    problems.add(new Problem(
                            entry,
                            entry + " belongs to uid " + stat.get().uid() + ", not to this user (uid " + uid
                                    + "): the hub did not make it",
                            "if you did not put it there, another user did: look at it, then remove it (rm -r " + entry
                                    + ")"));
                }
            }
        }
    }

    private boolean trustedOwner(int owner) {
        return owner == uid || owner == 0;
    }

    /** The owner and {@code st_mode} of {@code p} itself (links not followed), or empty if nothing is there. */
    private static Optional<Stat> stat(Path p) throws IOException {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
            return Optional.of(new Stat((Integer) a.get("uid"), (Integer) a.get("mode")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private record Stat(int uid, int mode) {
        int type() {
            return mode & TYPE_MASK;
        }
    }

    private static String writableBy(int mode) {
        return (mode & 0002) != 0 ? "writable by others" : "writable by its group";
    }

    /** {@code rwxr-x---} for the permission bits of {@code mode}. */
    static String rwx(int mode) {
        StringBuilder s = new StringBuilder(9);
        String letters = "rwx";
        for (int bit = 8; bit >= 0; bit--) {
            s.append((mode & (1 << bit)) != 0 ? letters.charAt((8 - bit) % 3) : '-');
        }
        return s.toString();
    }
}
