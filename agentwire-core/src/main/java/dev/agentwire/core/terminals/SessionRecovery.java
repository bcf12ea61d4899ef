package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tidies {@code control/} at start after a hub that did not stop cleanly (SIGKILL, a crash, a power cut):
 *
 * <ul>
 *   <li>a session the hub spawned ({@code origin: "spawn"}) whose recorded process still runs (the same pid
 *       and start time, see {@link LeftoverProcesses}) is killed with its session's processes (SIGKILL): nobody can
 *       see or drive it any more;
 *   <li>a session whose process is gone is marked {@code exited}, with {@code exitReason};
 *   <li>a forwarded session ({@code origin: "forwarder"}, {@code aw run}) runs in the user's own terminal and is
 *       never killed: its forwarder registers it again; so is one written before origins were recorded;
 *   <li>modes are set to 0700/0600, stale {@code ipc.sock} files are removed (not a detached terminal's, which its
 *       forwarder serves and removes), a directory without a
 *       {@code session.json} (or with an unreadable one) is removed at once, and an exited session's directory
 *       after the cleanup delay; a symbolic link in {@code control/} is removed, never followed.
 * </ul>
 *
 * Runs once, at start, before any transport. Not thread safe.
 */
final class SessionRecovery {

    private static final Logger log = LoggerFactory.getLogger(SessionRecovery.class);

    private final Path controlDir;
    private final ScheduledExecutorService timers;
    private final long cleanupDelaySeconds;

    SessionRecovery(Path controlDir, ScheduledExecutorService timers, long cleanupDelaySeconds) {
        this.controlDir = controlDir;
        this.timers = timers;
        this.cleanupDelaySeconds = cleanupDelaySeconds;
    }

    /**
     * @param live ids of sessions this hub runs (left alone)
     * @return how many sessions were marked exited
     */
    int run(Set<String> live) {
        if (!Files.exists(controlDir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int marked = 0;
        try {
            SessionFiles.privateDirectory(controlDir);
            try (var entries = Files.list(controlDir)) {
                for (Path dir : entries.toList()) {
                    if (!live.contains(dir.getFileName().toString()) && recover(dir)) {
                        marked++;
                    }
                }
            }
        } catch (IOException e) {
            log.warn("cannot look through {}: {}", controlDir, e.toString());
        }
        return marked;
    }

    /** Recovers one session directory; whether it was marked exited. */
    private boolean recover(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            log.warn("control/{} is a symbolic link; removing the link", dir.getFileName());
            Files.delete(dir);
            return false;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Path json = dir.resolve("session.json");
        ObjectNode s;
        try (InputStream in = SessionFiles.read(json)) {
            s = (ObjectNode) Json.mapper().readTree(in);
            SessionFiles.setMode(dir, SessionFiles.DIRECTORY);
            SessionFiles.setMode(json, SessionFiles.FILE);
            Path cast = dir.resolve("output.cast");
            if (Files.isRegularFile(cast, LinkOption.NOFOLLOW_LINKS)) {
                SessionFiles.setMode(cast, SessionFiles.FILE);
            }
            if (!s.path("detached").asBoolean(false)) {
                Files.deleteIfExists(dir.resolve("ipc.sock")); // a detached terminal's forwarder serves its own
            }
        } catch (IOException | RuntimeException e) {
            log.warn("control/{}: no readable session.json ({}); removing it", dir.getFileName(), e.toString());
            SessionFiles.removeTree(dir);
            return false;
        }
        boolean marked = false;
        if (!"exited".equals(s.path("status").asText())) {
            String reason = leftover(dir, s);
            if (reason == null) {
                return false; // still running, and not ours to end
            }
            s.put("status", "exited");
            s.put("exitReason", reason);
            SessionFiles.writeAtomically(
                    json, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(s));
            marked = true;
        }
        timers.schedule(() -> SessionFiles.removeTree(dir), cleanupDelaySeconds, TimeUnit.SECONDS);
        return marked;
    }

    /** Why the session {@code s} is over (after killing what was left of it), or null if it goes on. */
    private static String leftover(Path dir, JsonNode s) {
        long pid = s.path("pid").asLong(-1);
        boolean ours = "spawn".equals(s.path("origin").asText())
                && s.path("processStartedAt").canConvertToLong();
        if (ours && pid > 0) {
            List<ProcessHandle> left =
                    LeftoverProcesses.of(pid, s.path("processStartedAt").asLong());
            if (!left.isEmpty()) {
                left.forEach(ProcessHandle::destroyForcibly);
                log.warn(
                        "terminal {}: killed {} process(es) (pid {}) that a hub which did not stop cleanly left running",
                        dir.getFileName(),
                        left.size(),
                        pid);
                return "killed when the hub started: the hub that ran it stopped without ending it";
            }
            return "its process was gone when the hub started";
        }
        boolean alive =
                pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        return alive ? null : "its process was gone when the hub started";
    }
}
