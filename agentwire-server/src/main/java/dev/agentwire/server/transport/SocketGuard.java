package dev.agentwire.server.transport;

import dev.agentwire.protocol.Json;
import dev.agentwire.server.HubStartException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a Unix socket path before the hub binds it: its length against {@code sun_path}, and what to do with
 * a file already there (a live hub: refuse; a stale socket: remove it after a failed connect probe; anything
 * else: refuse).
 */
public final class SocketGuard {

    private static final Logger log = LoggerFactory.getLogger(SocketGuard.class);

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

    /** Connects to {@code path}: empty when nothing listens, else why the hub must not start. */
    static Optional<String> probe(Path path) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            Optional<Long> pid = askPid(ch);
            return Optional.of(
                    pid.isPresent()
                            ? "already running (pid " + pid.get() + ", socket " + path + ")"
                            : "socket " + path
                                    + " is in use by a program that does not answer as a hub; stop it or choose"
                                    + " another server.socket.path");
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Asks a live socket for {@code hub/status}; waits at most 2 s. */
    private static Optional<Long> askPid(SocketChannel ch) {
        CompletableFuture<Optional<Long>> answer = CompletableFuture.supplyAsync(() -> {
            try {
                ch.write(ByteBuffer.wrap(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/status\"}\n".getBytes(StandardCharsets.UTF_8)));
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                while (buf.hasRemaining() && ch.read(buf) >= 0) {
                    String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
                    int nl = text.indexOf('\n');
                    if (nl >= 0) {
                        long pid = Json.mapper()
                                .readTree(text.substring(0, nl))
                                .path("result")
                                .path("pid")
                                .asLong(-1);
                        return pid > 0 ? Optional.of(pid) : Optional.<Long>empty();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not a hub
            }
            return Optional.<Long>empty();
        });
        try {
            return answer.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            answer.cancel(true);
            return Optional.empty();
        }
    }
}
