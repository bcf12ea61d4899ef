package dev.agentwire.server.transport;

import dev.agentwire.netty.NettyTransport;
import dev.agentwire.server.HubStartException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a Unix socket path before the hub binds it: its length against {@code sun_path}, and what to do with
 * a file already there (a live listener: refuse, naming its uid and pid when it is another user's, "already
 * running" when it is this user's hub; a stale socket: remove it after a failed connect probe; anything else:
 * refuse). Also says who holds an abstract name the hub could not bind. Stateless.
 */
public final class SocketGuard {

    private static final Logger log = LoggerFactory.getLogger(SocketGuard.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private SocketGuard() {}

    /** The longest socket path, in bytes, the platform takes (sun_path less its terminating NUL). */
    public static int maxPathBytes() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return os.contains("mac") || os.contains("bsd") ? 103 : 107;
    }

    /** Fails with a clear message when {@code path} is too long for a Unix socket. */
    public static void checkLength(String what, String path) {
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxPathBytes()) {
            throw new HubStartException(what + " " + path + " is " + bytes + " bytes long; Unix sockets take at most "
                    + maxPathBytes() + " bytes (sun_path). Use a shorter AGENTWIRE_HOME or set server.socket.path"
                    + " (or server.socket.abstract: true on Linux)");
        }
    }

    /**
     * Makes {@code path} free to bind: nothing there, or a stale socket that was removed.
     *
     * @param cleanup whether a stale socket may be removed ({@code server.socket.cleanup})
     */
    public static void clear(Path path, boolean cleanup) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new HubStartException("cannot inspect " + path + ": " + e, e);
        }
        if (!attrs.isOther()) {
            throw new HubStartException(
                    path + " exists and is not a socket; move it away or choose another" + " server.socket.path");
        }
        Optional<String> live = probe(path);
        if (live.isPresent()) {
            throw new HubStartException(live.get());
        }
        if (!cleanup) {
            throw new HubStartException("stale socket " + path + " (nothing answers on it); remove it or set"
                    + " server.socket.cleanup: true");
        }
        try {
            Files.delete(path);
            log.info("removed stale socket {}", path);
        } catch (IOException e) {
            throw new HubStartException("cannot remove stale socket " + path + ": " + e, e);
        }
    }

    /**
     * Why {@code name}, an abstract socket name the hub could not bind because it is in use, is taken: "already
     * running" when a program of this user holds it, else the uid and pid that hold it.
     */
    public static HubStartException abstractNameTaken(NettyTransport transport, String name, Throwable cause) {
        String display = "@" + name;
        Optional<String> why = judge(
                SocketHolder.find(transport, transport.domainAddress(name, true), PROBE_TIMEOUT),
                "the abstract socket " + display,
                display);
        return new HubStartException(
                why.orElse("the abstract socket " + display + " is in use, but nothing answered a connection to it;"
                        + " choose another name"),
                cause);
    }

    /** Connects to {@code path}: empty when nothing listens, else why the hub must not start. */
    static Optional<String> probe(Path path) {
        NettyTransport transport = NettyTransport.detect();
        return judge(
                SocketHolder.find(transport, transport.domainAddress(path.toString(), false), PROBE_TIMEOUT),
                "the socket " + path,
                path.toString());
    }

    private static Optional<String> judge(Optional<SocketHolder.Holder> found, String what, String display) {
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SocketHolder.Holder holder = found.get();
        if (!holder.ours()) {
            return Optional.of(what + " is held by " + holder.describe() + ", not by this user (uid "
                    + SocketHolder.thisUid() + "); stop that program, or choose another server.socket.path");
        }
        if (holder.hubPid().isPresent()) {
            return Optional.of("already running (pid " + holder.hubPid().getAsLong() + ", socket " + display + ")");
        }
        return Optional.of(what + " is in use by a program of this user (" + holder.pid()
                + ") that does not answer as a hub; stop it or choose another server.socket.path");
    }
}
