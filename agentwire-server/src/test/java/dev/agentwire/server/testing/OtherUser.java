package dev.agentwire.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another local user for attack tests: python3 run as uid 65534 through {@code setpriv}. Needs root, setpriv and
 * /usr/bin/python3 (CI has all three); {@link #assumeAvailable()} skips with the reason elsewhere.
 */
public final class OtherUser {

    /** The uid (and gid) the attacker runs as. */
    public static final int UID = 65534;

    private OtherUser() {}

    /** Skips the test (with the reason) unless this process can run python3 as uid 65534. */
    public static void assumeAvailable() throws IOException {
        assumeTrue(
                Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "needs root to run a program as another uid with setpriv");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3");
    }

    /** Starts {@code python3 -c script args...} as uid 65534, stderr folded into stdout. */
    public static Process start(String script, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "/usr/bin/setpriv",
                "--reuid=" + UID,
                "--regid=" + UID,
                "--clear-groups",
                "/usr/bin/python3",
                "-c",
                script));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Runs {@code script} as uid 65534 to the end and returns what it printed; fails the test unless it exits 0. */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        Process p = start(script, args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS))
                .as("the other user's program finishes")
                .isTrue();
        assertThat(p.exitValue()).as("the other user's program failed: " + out).isZero();
        return out;
    }

    /** A listener of the other user: starts {@code script} and waits for its first line, {@code ready}. */
    public static Process startListener(String script, String... args) throws IOException {
        Process p = start(script, args);
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"ready".equals(first)) {
            p.destroyForcibly();
            throw new AssertionError("the other user's listener did not start: " + first);
        }
        return p;
    }
}
