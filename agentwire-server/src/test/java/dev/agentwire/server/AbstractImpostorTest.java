package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentwire.netty.NettyTransport;
import dev.agentwire.server.testing.OtherUser;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Another user takes the hub's socket name first (issue 11, finding 5): the hub reads the holder's peer
 * credentials and refuses to start naming that uid and pid, instead of saying "already running" about a program
 * of someone else. "already running" is kept for a holder of our own uid.
 */
class AbstractImpostorTest {

    /** A listener of uid 65534 that answers every line as a hub would, with a made-up pid. */
    private static final String IMPOSTOR = String.join(
            "\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "s.bind(sys.argv[1].replace('@', '\\0', 1) if sys.argv[1].startswith('@') else sys.argv[1])",
            "s.listen(16)",
            "print('ready', flush=True)",
            "while True:",
            "    c, _ = s.accept()",
            "    c.settimeout(5)",
            "    try:",
            "        c.recv(65536)",
            "        c.sendall(b'{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"pid\":4242,\"ok\":true}}\\n')",
            "    except Exception:",
            "        pass",
            "    c.close()");

    @BeforeAll
    static void needsAnotherUser() throws Exception {
        OtherUser.assumeAvailable();
    }

    private static String name() {
        return "aw-impostor-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @Test
    void anAbstractNameHeldByAnotherUidIsNamedNotTakenForOurHub() throws Exception {
        assumeTrue(NettyTransport.detect().supportsAbstract(), "abstract sockets need Linux with native epoll");
        String name = name();
        Process impostor = OtherUser.startListener(IMPOSTOR, "@" + name);
        try {
            assertThatThrownBy(() -> TestHubs.start(
                            TestHubs.shortTempDir(),
                            b -> b.set("server.socket.abstract", "true").set("server.socket.path", name)))
                    .isInstanceOf(HubStartException.class)
                    .hasMessageStartingWith("the abstract socket @" + name + " is held by uid 65534 (pid "
                            + impostor.pid() + "), not by this user")
                    .hasMessageNotContaining("already running");
        } finally {
            impostor.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSocketPathHeldByAnotherUidIsNamedNotTakenForOurHub() throws Exception {
        Path dir = TestHubs.shortTempDir();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path sock = dir.resolve("s.sock");
        Process impostor = OtherUser.startListener(IMPOSTOR, sock.toString());
        try {
            assertThatThrownBy(() ->
                            TestHubs.start(TestHubs.shortTempDir(), b -> b.set("server.socket.path", sock.toString())))
                    .isInstanceOf(HubStartException.class)
                    .hasMessageStartingWith("the socket " + sock + " is held by uid 65534 (pid " + impostor.pid()
                            + "), not by this user")
                    .hasMessageNotContaining("already running");
            assertThat(sock).as("another user's socket is left alone").exists();
        } finally {
            impostor.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAbstractNameHeldByOurOwnHubIsAlreadyRunning() throws Exception {
        assumeTrue(NettyTransport.detect().supportsAbstract(), "abstract sockets need Linux with native epoll");
        String name = name();
        try (AgentwireHub first = TestHubs.start(
                TestHubs.shortTempDir(),
                b -> b.set("server.socket.abstract", "true").set("server.socket.path", name))) {
            assertThatThrownBy(() -> TestHubs.start(
                            TestHubs.shortTempDir(),
                            b -> b.set("server.socket.abstract", "true").set("server.socket.path", name)))
                    .isInstanceOf(HubStartException.class)
                    .hasMessage(
                            "already running (pid " + ProcessHandle.current().pid() + ", socket @" + name + ")");
            assertThat(first.core().isAccepting()).isTrue();
        }
    }
}
