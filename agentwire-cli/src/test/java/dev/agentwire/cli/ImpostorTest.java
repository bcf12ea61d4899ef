package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code aw} refuses a hub socket served by another user (exit 4, the reason), before it sends a byte. The
 * other user is real: uid 65534 through {@code setpriv}, listening on an abstract name or on the socket file in
 * a home it can write, and counting the bytes it receives.
 */
class ImpostorTest {

    private static final String LISTENER = String.join(
            "\n",
            "import os, socket, sys",
            "where = sys.argv[1]",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "s.bind('\\0' + where[1:] if where.startswith('@') else where)",
            "if not where.startswith('@'):",
            "    os.chmod(where, 0o777)",
            "s.listen(8)",
            "print('listening', flush=True)",
            "conn, _ = s.accept()",
            "conn.settimeout(60)",
            "total = 0",
            "try:",
            "    while True:",
            "        b = conn.recv(65536)",
            "        if not b:",
            "            break",
            "        total += len(b)",
            "except OSError:",
            "    pass",
            "print('received', total, flush=True)",
            "");

    private Path dir;
    private Process impostor;
    private BufferedReader said;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(
                new com.sun.security.auth.module.UnixSystem().getUid() == 0
                        && Files.isExecutable(Path.of("/usr/bin/setpriv"))
                        && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs root, setpriv and /usr/bin/python3 to run as uid 65534");
        dir = Files.createTempDirectory(Path.of("/tmp"), "awimp");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (impostor != null) {
            impostor.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Starts uid 65534 listening at {@code where} ({@code @name} or a path); returns its pid. */
    private long listen(String where) throws IOException {
        Path script = dir.resolve("listener.py");
        Files.writeString(script, LISTENER);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        impostor = new ProcessBuilder(List.of(
                        "/usr/bin/setpriv",
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        "/usr/bin/python3",
                        script.toString(),
                        where))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        said = new BufferedReader(new InputStreamReader(impostor.getInputStream(), StandardCharsets.UTF_8));
        assertThat(said.readLine()).isEqualTo("listening");
        return impostor.pid();
    }

    private long bytesTheImpostorGot() throws Exception {
        assertThat(impostor.waitFor(30, TimeUnit.SECONDS))
                .as("aw hung up on the impostor")
                .isTrue();
        String line = said.readLine();
        assertThat(line).startsWith("received ");
        return Long.parseLong(line.substring("received ".length()).trim());
    }

    @Test
    void pingRefusesAnAbstractNameServedByAnotherUser() throws Exception {
        String name = "aw-impostor-cli-" + ProcessHandle.current().pid();
        long pid = listen("@" + name);
        AwRunner.Result r = aw("ping", "-n", "1", "--timeout", "2s", "-c", "unix:@" + name);
        assertThat(r.code()).as("exit code: refused").isEqualTo(ExitCodes.REFUSED);
        assertThat(r.err())
                .contains("aw ping: refusing unix:@" + name + ": it is served by uid 65534 (pid " + pid + ")")
                .contains("another user may be impersonating the hub");
        assertThat(bytesTheImpostorGot()).isZero();
    }

    @Test
    void pingRefusesTheHomesSocketFileServedByAnotherUser() throws Exception {
        listen(dir.resolve("hub.sock").toString());
        ProcessBuilder pb = new ProcessBuilder(AwRunner.processCommand("ping", "-n", "1", "--timeout", "2s"))
                .redirectErrorStream(true);
        pb.environment().put("AGENTWIRE_HOME", dir.toString());
        Process aw = pb.start();
        String out = new String(aw.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(aw.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(aw.exitValue()).as("exit code of: %s", out).isEqualTo(ExitCodes.REFUSED);
        assertThat(out).contains("refusing unix:" + dir.resolve("hub.sock")).contains("uid 65534");
        assertThat(bytesTheImpostorGot()).isZero();
    }

    @Test
    void mcpRefusesASocketServedByAnotherUser() throws Exception {
        listen(dir.resolve("hub.sock").toString());
        AwRunner.Result r = aw("mcp", "-c", "unix:" + dir.resolve("hub.sock"));
        assertThat(r.code()).as("exit code: refused").isEqualTo(ExitCodes.REFUSED);
        assertThat(r.err()).contains("served by user nobody");
        assertThat(bytesTheImpostorGot()).isZero();
    }

    @Test
    void terminalsRefusesAnApiSocketServedByAnotherUser() throws Exception {
        listen(dir.resolve("api.sock").toString());
        ProcessBuilder pb = new ProcessBuilder(AwRunner.processCommand("terminals")).redirectErrorStream(true);
        pb.environment().put("AGENTWIRE_HOME", dir.toString());
        Process aw = pb.start();
        String out = new String(aw.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(aw.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(aw.exitValue()).as("exit code of: %s", out).isEqualTo(ExitCodes.REFUSED);
        assertThat(out).contains("refusing unix:" + dir.resolve("api.sock")).contains("served by user nobody");
        assertThat(bytesTheImpostorGot()).isZero();
    }
}
