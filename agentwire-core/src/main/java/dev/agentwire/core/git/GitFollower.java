package dev.agentwire.core.git;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows git repositories: watches each one's {@code .git} directory (HEAD, refs, worktrees) and publishes
 * {@code git / repository-changed {path, branch, worktree, worktrees}} when its branch or its worktrees change.
 * One watcher thread for all repositories. Thread safe.
 */
public final class GitFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GitFollower.class);

    private final EventBus events;
    private final Map<Path, Followed> followed = new ConcurrentHashMap<>();
    private final Map<WatchKey, Followed> keys = new ConcurrentHashMap<>();
    private WatchService watcher;
    private Thread thread;

    /** A repository being followed and what was last reported of it. */
    private static final class Followed {
        final Path worktree;
        final Path gitDir;
        final List<WatchKey> keys = new ArrayList<>();
        volatile String branch;
        volatile List<String> worktrees;
        /** The last change reported ({@code at}, {@code action}, {@code branch}, {@code worktrees}), or null. */
        volatile ObjectNode lastEvent;

        Followed(Path worktree, Path gitDir) {
            this.worktree = worktree;
            this.gitDir = gitDir;
        }
    }

    public GitFollower(EventBus events) {
        this.events = events;
    }

    /** Starts following the repository at (or above) {@code path}; its current state. */
    public synchronized ObjectNode follow(Path path) {
        Path start = path.toAbsolutePath().normalize();
        Path worktree = start;
        while (worktree != null && !Files.exists(worktree.resolve(".git"))) {
            worktree = worktree.getParent();
        }
        if (worktree == null) {
            var data = HubException.reasonData("not_a_repository");
            data.put("path", start.toString());
            throw HubException.withData(ErrorCode.INVALID_PARAMS, start + " is not inside a git repository", data);
        }
        Path gitDir = gitDir(worktree);
        Followed f = followed.get(worktree);
        if (f == null) {
            f = new Followed(worktree, gitDir);
            f.branch = branch(gitDir);
            f.worktrees = worktrees(gitDir);
            try {
                ensureWatcher();
                watch(f, gitDir);
                watch(f, gitDir.resolve("refs/heads"));
                if (Files.isDirectory(gitDir.resolve("worktrees"))) {
                    watch(f, gitDir.resolve("worktrees"));
                }
            } catch (IOException e) {
                throw HubException.of(ErrorCode.INTERNAL_ERROR, "watch_failed", "cannot watch " + gitDir + ": " + e);
            }
            followed.put(worktree, f);
        }
        return describe(f).put("following", true);
    }

    /** Stops following the repository at {@code path} (null: every repository); how many were followed. */
    public synchronized int unfollow(Path path) {
        List<Followed> gone = new ArrayList<>();
        if (path == null) {
            gone.addAll(followed.values());
        } else {
            Path p = path.toAbsolutePath().normalize();
            followed.values().stream()
                    .filter(f -> p.startsWith(f.worktree) || f.worktree.startsWith(p))
                    .forEach(gone::add);
        }
        for (Followed f : gone) {
            followed.remove(f.worktree);
            f.keys.forEach(k -> {
                k.cancel();
                keys.remove(k);
            });
        }
        return gone.size();
    }

    /** The repositories followed now. */
    public ArrayNode list() {
        ArrayNode arr = Json.mapper().createArrayNode();
        followed.values().forEach(f -> arr.add(describe(f)));
        return arr;
    }

    /**
     * Follow mode for {@code hub/status} (api.sock's {@code status}): each repository followed with its branch and
     * the last change reported of it ({@code lastEvent}, null before the first).
     */
    public ObjectNode status() {
        ObjectNode o = Json.mapper().createObjectNode();
        ArrayNode following = o.putArray("following");
        followed.values().stream()
                .sorted(java.util.Comparator.comparing(f -> f.worktree))
                .forEach(f -> {
                    ObjectNode d = describe(f);
                    ObjectNode last = f.lastEvent;
                    if (last == null) {
                        d.putNull("lastEvent");
                    } else {
                        d.set("lastEvent", last.deepCopy());
                    }
                    following.add(d);
                });
        return o;
    }

    private void watch(Followed f, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        WatchKey key = dir.register(
                watcher,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        f.keys.add(key);
        keys.put(key, f);
    }

    private void ensureWatcher() throws IOException {
        if (watcher != null) {
            return;
        }
        watcher = java.nio.file.FileSystems.getDefault().newWatchService();
        thread = new Thread(this::run, "aw-git-follow");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                Followed f = keys.get(key);
                key.pollEvents();
                key.reset();
                if (f != null) {
                    // Git writes HEAD through a lock file and a rename: look once the burst is over.
                    TimeUnit.MILLISECONDS.sleep(50);
                    check(f);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private void check(Followed f) {
        if (!followed.containsKey(f.worktree)) {
            return;
        }
        if (Files.isDirectory(f.gitDir.resolve("worktrees"))
                && f.keys.stream().noneMatch(k -> k.watchable().equals(f.gitDir.resolve("worktrees")))) {
            try {
                watch(f, f.gitDir.resolve("worktrees"));
            } catch (IOException e) {
                log.debug("cannot watch {}: {}", f.gitDir.resolve("worktrees"), e.toString());
            }
        }
        String branch = branch(f.gitDir);
        List<String> worktrees = worktrees(f.gitDir);
        if (!Objects.equals(branch, f.branch) || !Objects.equals(worktrees, f.worktrees)) {
            f.branch = branch;
            f.worktrees = worktrees;
            ObjectNode changed = describe(f);
            ObjectNode last = Json.mapper().createObjectNode();
            last.put("at", System.currentTimeMillis());
            last.put("action", "repository-changed");
            last.put("branch", branch);
            last.set("worktrees", changed.get("worktrees").deepCopy());
            f.lastEvent = last;
            events.publish("git", "repository-changed", changed);
        }
    }

    private static ObjectNode describe(Followed f) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("path", f.worktree.toString());
        o.put("branch", f.branch);
        o.put("worktree", f.worktree.toString());
        ArrayNode w = o.putArray("worktrees");
        f.worktrees.forEach(w::add);
        return o;
    }

    /** The git directory of a worktree: {@code .git}, or where a {@code .git} file's {@code gitdir:} points. */
    static Path gitDir(Path worktree) {
        Path dotGit = worktree.resolve(".git");
        if (Files.isRegularFile(dotGit)) {
            try {
                String line = Files.readString(dotGit, StandardCharsets.UTF_8).trim();
                if (line.startsWith("gitdir:")) {
                    return worktree.resolve(line.substring(7).trim()).normalize();
                }
            } catch (IOException e) {
                log.debug("cannot read {}: {}", dotGit, e.toString());
            }
        }
        return dotGit;
    }

    /** The branch HEAD names, or {@code detached:<sha>}. */
    static String branch(Path gitDir) {
        try {
            String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8)
                    .trim();
            return head.startsWith("ref: refs/heads/")
                    ? head.substring("ref: refs/heads/".length())
                    : "detached:" + head.substring(0, Math.min(12, head.length()));
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The linked worktrees' names ({@code .git/worktrees/*}), sorted. */
    static List<String> worktrees(Path gitDir) {
        Path dir = gitDir.resolve("worktrees");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public synchronized void close() {
        unfollow(null);
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                log.debug("closing the git watcher: {}", e.toString());
            }
        }
    }
}
