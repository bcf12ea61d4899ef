package dev.agentwire.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code aw sockets debug --address /path}: is there a file, is it a socket, may this user connect (mode, owner),
 * does a process listen there (/proc/net/unix), its backlog and accept queue ({@code ss -xl}, when iproute2 is
 * installed), and a connect attempt (non-blocking: a Unix connect completes or fails at once). Stateless.
 */
final class UnixProbe {

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixProbe() {}

    static DebugReport run(Path given) throws IOException {
        Path path = given.toAbsolutePath().normalize();
        DebugReport r = new DebugReport(path.toString());
        long t = System.nanoTime();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            r.failed("exists", ms(t), "no file at " + path, ErrnoCommand.find("ENOENT", "linux"));
            Path dir = path.getParent();
            r.next(
                    dir != null && !Files.isDirectory(dir)
                            ? "the directory " + dir + " does not exist either: is the path right (AGENTWIRE_HOME)?"
                            : "the server is not running, or it binds another path (or an abstract name: aw sockets unix)");
            return r;
        }
        r.step("exists", ms(t), true, path.toString());
        Map<String, Object> attrs;
        try {
            attrs = Files.readAttributes(path, "unix:mode,uid,gid");
        } catch (java.nio.file.NoSuchFileException e) {
            r.failed("socket", -1, "a symbolic link to nothing", ErrnoCommand.find("ENOENT", "linux"));
            r.next("the link points where no socket is: is the server running, and does the link point to its path?");
            return r;
        }
        int mode = (Integer) attrs.get("mode");
        if ((mode & S_IFMT) != S_IFSOCK) {
            r.failed(
                    "socket",
                    -1,
                    "not a socket but " + kind(path) + " (mode " + Integer.toOctalString(mode) + ")",
                    ErrnoCommand.find("ENOTSOCK", "linux"));
            r.next("something else took the socket's place: remove it, then start the server again");
            return r;
        }
        r.step("socket", -1, true, "a Unix socket file");
        String owner = Files.getOwner(path).getName();
        String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        boolean mayConnect = Files.isWritable(path);
        String who = "mode " + perms + " (0" + Integer.toOctalString(mode & 07777) + "), owner " + owner + " (uid "
                + attrs.get("uid") + ", gid " + attrs.get("gid") + ")";
        if (mayConnect) {
            r.step("permission", -1, true, who + ": this user may connect (it has write permission)");
        } else {
            r.failed(
                    "permission",
                    -1,
                    who + ": this user (" + System.getProperty("user.name") + ") may not connect",
                    ErrnoCommand.find("EACCES", "linux"));
        }
        List<ProcNet.Unix> listeners = ProcNet.available()
                ? ProcNet.unix().stream()
                        .filter(s -> s.path().equals(path.toString()))
                        .toList()
                : List.of();
        for (ProcNet.Unix s : listeners) {
            r.socket(
                    s.state(),
                    String.format(
                            "%-11s %-9s %s",
                            s.state(), s.type(), s.pid() < 0 ? "(process not visible)" : s.pid() + "/" + s.process()),
                    s);
        }
        Optional<ProcNet.Unix> listener =
                listeners.stream().filter(s -> s.state().equals("LISTEN")).findFirst();
        if (listener.isPresent()) {
            ProcNet.Unix l = listener.get();
            r.step(
                    "listening",
                    -1,
                    true,
                    l.type() + " listener"
                            + (l.pid() < 0 ? " (its process is another user's)" : ", " + l.pid() + "/" + l.process()));
            backlog(r, path);
        } else {
            r.failed(
                    "listening",
                    -1,
                    "no process listens at this path (/proc/net/unix): a stale file left by a process that died",
                    Optional.empty());
        }
        long c = System.nanoTime();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.configureBlocking(false);
            ch.connect(UnixDomainSocketAddress.of(path));
            r.step("connect", ms(c), true, "connected");
        } catch (IOException e) {
            r.failed("connect", ms(c), e.getMessage(), ErrnoCommand.fromException(e));
        }
        advise(r, path, listener.isPresent(), mayConnect);
        return r;
    }

    /** The listener's accept queue and backlog, from {@code ss -xl} (Recv-Q and Send-Q of a listener). */
    private static void backlog(DebugReport r, Path path) {
        try {
            Optional<List<String>> lines = Ss.run("-xlnH", "src", path.toString());
            if (lines.isEmpty()) {
                r.step("backlog", -1, true, "not readable: ss (iproute2) is not installed");
                return;
            }
            for (String line : lines.get()) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[4].equals(path.toString())) {
                    long queued = Long.parseLong(f[2]);
                    long backlog = Long.parseLong(f[3]);
                    boolean full = queued >= backlog;
                    String detail = queued + " waiting to be accepted, backlog " + backlog;
                    if (full) {
                        r.failed(
                                "backlog",
                                -1,
                                detail + ": full, new connections fail with EAGAIN",
                                ErrnoCommand.find("EAGAIN", "linux"));
                    } else {
                        r.step("backlog", -1, true, detail);
                    }
                    return;
                }
            }
            r.step("backlog", -1, true, "not readable: ss -xl does not list " + path);
        } catch (IOException | RuntimeException e) {
            r.step("backlog", -1, true, "not readable: " + e.getMessage());
        }
    }

    private static void advise(DebugReport r, Path path, boolean listening, boolean mayConnect) {
        if (r.ok()) {
            r.next("the socket accepts connections; if the server still does not answer, it accepts but does not"
                    + " read: aw sockets unix --path " + path + " shows who holds it");
            return;
        }
        if (!mayConnect) {
            r.next("connecting needs write permission on the socket file: run as its owner, or have the server"
                    + " set a group and mode 0660 (for the hub: server.socket.group and server.socket.mode)");
        }
        if (!listening) {
            r.next("start the server again; most servers (aw hub among them) remove a stale file after their own"
                    + " connect probe fails, others need rm " + path + " first");
        }
        r.errnoName()
                .filter(e -> e.equals("EAGAIN"))
                .ifPresent(e -> r.next("the accept queue is full: the server does not accept fast enough (stuck"
                        + " or overloaded); a larger listen backlog only buys time"));
    }

    private static String kind(Path path) {
        if (Files.isSymbolicLink(path)) {
            return "a symbolic link";
        }
        if (Files.isDirectory(path)) {
            return "a directory";
        }
        return Files.isRegularFile(path) ? "a regular file" : "another kind of file";
    }

    private static double ms(long since) {
        return (System.nanoTime() - since) / 1e6;
    }
}
