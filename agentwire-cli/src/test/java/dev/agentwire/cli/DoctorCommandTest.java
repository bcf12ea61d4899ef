package dev.agentwire.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentwire.server.AgentwireHub;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** aw doctor on: no hub, a stale socket file, a socket with mode 0777, another user's socket, a healthy hub. */
class DoctorCommandTest {

    private static Object[] doctor(Path home) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(AwRunner.processCommand("doctor")).redirectErrorStream(true);
        pb.environment().put("AGENTWIRE_HOME", home.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Object[] {p.exitValue(), out};
    }

    private static Path home() throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "awdoc").resolve("home");
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        return home;
    }

    @Test
    void noHub() throws Exception {
        Object[] r = doctor(home());
        assertThat(r[0]).isEqualTo(ExitCodes.ERROR);
        assertThat((String) r[1]).contains("✓ home", "✗ no socket at", "start one with: aw hub");
    }

    @Test
    void aStaleSocketFile() throws Exception {
        Path home = home();
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(home.resolve("hub.sock")));
            Files.setPosixFilePermissions(home.resolve("hub.sock"), PosixFilePermissions.fromString("rw-------"));
        }
        Object[] r = doctor(home);
        assertThat(r[0]).isEqualTo(ExitCodes.ERROR);
        assertThat((String) r[1]).contains("✓ socket", "✗ nothing listens on", "stale socket", "ECONNREFUSED");
    }

    @Test
    void aHealthyHubThenOneWithAWorldWritableSocket() throws Exception {
        Path home = home();
        try (AgentwireHub hub =
                AgentwireHub.builder().home(home).set("clientPort", "0").build().start()) {
            Object[] r = doctor(home);
            assertThat(r[0]).as((String) r[1]).isEqualTo(0);
            assertThat((String) r[1])
                    .contains(
                            "✓ home",
                            "✓ socket",
                            "✓ something listens",
                            "✓ an agentwire hub answers",
                            "✓ token readable",
                            "is the hub's (hub.json)")
                    .doesNotContain("✗");
            Files.setPosixFilePermissions(home.resolve("hub.sock"), PosixFilePermissions.fromString("rwxrwxrwx"));
            r = doctor(home);
            assertThat(r[0]).isEqualTo(ExitCodes.ERROR);
            assertThat((String) r[1])
                    .contains("✗ socket", "rwxrwxrwx", "anyone on this machine may connect", "chmod 600");
        }
    }

    @Test
    void anotherUsersSocket() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root to run as another uid");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3");
        Path home = home();
        Files.setPosixFilePermissions(home.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path sock = home.resolve("hub.sock");
        // uid 65534 listens there and answers nothing a hub would.
        Process other = new ProcessBuilder(List.of(
                        "/usr/bin/setpriv",
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        "/usr/bin/python3",
                        "-c",
                        "import socket, sys, time, os\n"
                                + "s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o600); s.listen(5)\n"
                                + "print('ready', flush=True)\n"
                                + "while True:\n    c, _ = s.accept(); c.sendall(b'{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32005,\"message\":\"refused: uid 0 is not the owner\"}}\\n')\n",
                        sock.toString()))
                .redirectErrorStream(true)
                .start();
        try {
            String ready = new java.io.BufferedReader(new java.io.InputStreamReader(other.getInputStream())).readLine();
            assertThat(ready).isEqualTo("ready");
            Object[] r = doctor(home);
            assertThat(r[0]).isEqualTo(ExitCodes.ERROR);
            assertThat((String) r[1])
                    .contains("belongs to uid 65534", "another user's hub", "✗ the hub refused this user");
        } finally {
            other.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
