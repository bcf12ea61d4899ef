package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.Endpoint;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.home.HomeTrust;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code aw doctor}: the checks a person would run when an agent does not connect, in order, each with ✓, ! or ✗
 * and the fix: home and its mode, what the hub would refuse in it (a home others may write, links of another user
 * on the way, files not ours, links in place of state files), socket path length, the socket file, its mode and owner, a listener behind
 * it, a hub behind that, the token, the TCP port, the fd limit, stale terminal sessions.
 */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check the local hub setup step by step and say how to fix what is wrong.",
            "Exits 0 when nothing failed, 1 otherwise."
        })
final class DoctorCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private record Check(char mark, String what, String fix) {}

    private final List<Check> checks = new ArrayList<>();

    private void ok(String what) {
        checks.add(new Check('✓', what, ""));
    }

    private void warn(String what, String fix) {
        checks.add(new Check('!', what, fix));
    }

    private void fail(String what, String fix) {
        checks.add(new Check('✗', what, fix));
    }

    @Override
    public Integer call() throws Exception {
        Path home = Endpoint.home(System.getenv());
        run(home);
        PrintWriter out = spec.commandLine().getOut();
        for (Check c : checks) {
            out.println(c.mark() + " " + c.what());
            if (!c.fix().isEmpty()) {
                out.println("    fix: " + c.fix());
            }
        }
        out.flush();
        return checks.stream().anyMatch(c -> c.mark() == '✗') ? ExitCodes.ERROR : ExitCodes.OK;
    }

    private void run(Path home) throws IOException {
        long me = new com.sun.security.auth.module.UnixSystem().getUid();
        if (!Files.isDirectory(home)) {
            fail(
                    "home " + home + " does not exist",
                    "start the hub once (aw hub) or set AGENTWIRE_HOME to the hub's home");
            return;
        }
        checkHome(home, new HomeTrust((int) me));
        Path socket = home.resolve("hub.sock");
        int max =
                System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("mac") ? 103 : 107;
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length <= max) {
            ok("socket path length " + length + " of at most " + max + " bytes");
        } else {
            fail(
                    "socket path " + socket + " is " + length + " bytes; Unix sockets take " + max,
                    "use a shorter AGENTWIRE_HOME (ENAMETOOLONG), or server.socket.abstract: true on Linux");
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            fail("no socket at " + socket, "start one with: aw hub");
            return;
        }
        PosixFileAttributes attrs = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isOther()) {
            fail(socket + " is not a socket", "remove it (rm " + socket + ") and start the hub");
            return;
        }
        String mode = PosixFilePermissions.toString(attrs.permissions());
        if (mode.equals("rw-------")) {
            ok("socket " + socket + " (0600)");
        } else if (mode.endsWith("w-") || mode.endsWith("rw-") || mode.charAt(7) == 'w') {
            fail(
                    "socket " + socket + " is " + mode + ": anyone on this machine may connect",
                    "chmod 600 " + socket + ", or set server.socket.mode (0660 with server.socket.group for a group)");
        } else {
            warn("socket " + socket + " is " + mode, "0600 lets only its owner in; mean it if it is wider");
        }
        int owner = (Integer) Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != me) {
            fail(
                    "socket " + socket + " belongs to uid " + owner + " ("
                            + attrs.owner().getName() + "), not to you (uid " + me + "): that is another user's hub",
                    "run your own hub with AGENTWIRE_HOME set to a directory of yours, or ask its owner to add your uid"
                            + " to security.allowUids");
        }
        JsonNode hello;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                fail(
                        "nothing listens on " + socket + " (" + e.getMessage()
                                + "): a stale socket left by a hub that died",
                        "start the hub (aw hub): it removes the stale file once its own probe fails (ECONNREFUSED)");
                return;
            }
            ok("something listens on " + socket);
            ch.write(ByteBuffer.wrap(
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/hello\",\"params\":{\"name\":\"aw doctor\"}}\n"
                            .getBytes(StandardCharsets.UTF_8)));
            hello = readLine(ch);
        }
        if (hello == null) {
            fail(
                    "what listens on " + socket + " did not answer hub/hello: it is not an agentwire hub",
                    "find the process with aw sockets unix --path " + socket);
        } else if (hello.has("error")) {
            fail(
                    "the hub refused this user: "
                            + hello.path("error").path("message").asText(),
                    "the hub admits its owner's uid; ask for security.allowUids, or run your own hub");
        } else {
            ok("an agentwire hub answers (version "
                    + hello.path("result").path("version").asText("?") + ")");
        }
        Path token = home.resolve("token");
        if (Files.isReadable(token)) {
            String tmode = PosixFilePermissions.toString(Files.getPosixFilePermissions(token));
            if (tmode.equals("rw-------")) {
                ok("token readable (0600)");
            } else {
                warn("token is " + tmode, "chmod 600 " + token + ": it lets TCP and WebSocket clients in");
            }
        } else {
            warn(
                    "no readable token at " + token,
                    "TCP, WebSocket and HTTP clients need it; the hub writes it at start");
        }
        int port = 8765;
        boolean ours = false;
        try {
            JsonNode hubJson = Json.mapper().readTree(home.resolve("hub.json").toFile());
            if (hubJson.has("port")) {
                port = hubJson.path("port").asInt();
                ours = true;
            }
        } catch (IOException e) {
            // no hub.json: the default port
        }
        if (ours) {
            ok("TCP port " + port + " is the hub's (hub.json)");
        } else {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress("127.0.0.1", port));
                ok("TCP port " + port + " is free");
            } catch (IOException e) {
                fail(
                        "TCP port " + port + " is taken by another program",
                        "aw sockets analyze --port " + port + " shows who; set clientPort, or -1 to turn TCP off");
            }
        }
        long fds = openFileLimit();
        if (fds < 0) {
            warn("cannot read the open-file limit", "ulimit -n");
        } else if (fds < 4096) {
            warn("open-file limit is " + fds + ": every connection costs a descriptor", "ulimit -n 65536 (EMFILE)");
        } else {
            ok("open-file limit " + fds);
        }
        int stale = 0;
        Path control = home.resolve("control");
        if (Files.isDirectory(control)) {
            try (var dirs = Files.list(control)) {
                for (Path dir : dirs.toList()) {
                    try {
                        JsonNode s = Json.mapper()
                                .readTree(dir.resolve("session.json").toFile());
                        long pid = s.path("pid").asLong(-1);
                        if (!"exited".equals(s.path("status").asText())
                                && ProcessHandle.of(pid)
                                                .map(ProcessHandle::isAlive)
                                                .orElse(false)
                                        == false) {
                            stale++;
                        }
                    } catch (IOException e) {
                        stale++;
                    }
                }
            }
        }
        if (stale == 0) {
            ok("no stale terminal sessions");
        } else {
            warn(
                    stale + " terminal sessions in " + control + " have no process",
                    "a hub start marks them exited and cleans them");
        }
    }

    /** What the hub refuses at start (HomeTrust): the way to the home, the home, and what is in it. */
    private void checkHome(Path home, HomeTrust trust) throws IOException {
        List<HomeTrust.Problem> problems = new ArrayList<>(trust.checkPath(home));
        Path real = home.toRealPath();
        List<HomeTrust.Problem> own = trust.checkHome(real);
        problems.addAll(own);
        if (own.isEmpty()) {
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(real));
            if (mode.equals("rwx------")) {
                ok("home " + home + " (0700)");
            } else {
                warn(
                        "home " + home + " is " + mode + ", not rwx------",
                        "chmod 700 " + home + " (the hub does it at start)");
            }
        }
        problems.addAll(trust.checkEntries(real));
        for (HomeTrust.Problem p : problems) {
            fail(p.reason(), p.fix());
        }
        if (problems.isEmpty()) {
            ok("every file in the home is yours, and no state file is a link");
        }
    }

    private static JsonNode readLine(SocketChannel ch) {
        try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
            ch.configureBlocking(false);
            ch.register(selector, java.nio.channels.SelectionKey.OP_READ);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                selector.selectedKeys().clear();
                if (ch.read(buf) < 0) {
                    break;
                }
                for (int i = 0; i < buf.position(); i++) {
                    if (buf.get(i) == '\n') {
                        return Json.mapper().readTree(new String(buf.array(), 0, i, StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    private static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring(26).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
