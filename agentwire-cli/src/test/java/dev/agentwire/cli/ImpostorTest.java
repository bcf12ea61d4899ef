package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentwire.client.Impostor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    private Path dir;
    private Impostor impostor;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Impostor.available(), "needs root, setpriv and /usr/bin/python3 to run as uid 65534");
        dir = Files.createTempDirectory(Path.of("/tmp"), "awimp");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (impostor != null) {
            impostor.close();
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
        impostor = Impostor.listen(dir, where);
        return impostor.pid();
    }

    private long bytesTheImpostorGot() throws Exception {
        return impostor.bytesReceived(Duration.ofSeconds(30));
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
