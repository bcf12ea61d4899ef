package dev.agentwire.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** aw title, aw follow and aw unfollow as separate processes, through api.sock. */
class ApiSocketCommandsTest {

    /** Runs {@code aw ARGS} with {@code env} added; {exit code, output}. */
    private static Object[] aw(Map<String, String> env, Path cwd, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(AwRunner.processCommand(args)).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.directory(cwd.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Object[] {p.exitValue(), out};
    }

    private static void git(Path repo, String... args) throws Exception {
        List<String> cmd =
                new java.util.ArrayList<>(List.of("git", "-c", "user.email=t@example.com", "-c", "user.name=t"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void titleFollowAndUnfollow() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/git")), "needs git (CI installs it)");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awapi");
        Path home = dir.resolve("home");
        try (AgentwireHub hub =
                AgentwireHub.builder().home(home).set("clientPort", "0").build().start()) {
            Map<String, String> env = Map.of("AGENTWIRE_HOME", home.toString());
            String id;
            try (var c = dev.agentwire.client.AgentwireClient.builder()
                    .endpoint(hub.endpoint())
                    .reconnect(false)
                    .connect()) {
                id = c.request("terminals/spawn", Json.mapper().readTree("{\"command\":[\"sleep\",\"30\"]}"))
                        .get(30, TimeUnit.SECONDS)
                        .path("id")
                        .asText();
            }
            Object[] r = aw(
                    Map.of("AGENTWIRE_HOME", home.toString(), "AGENTWIRE_TERMINAL_ID", id), dir, "title", "deploying");
            assertThat(r[0]).as((String) r[1]).isEqualTo(0);
            assertThat((String) r[1]).contains("title of " + id + ": deploying");
            r = aw(env, dir, "terminals");
            assertThat(r[0]).as((String) r[1]).isEqualTo(0);
            assertThat((String) r[1]).contains(id, "running", "deploying");
            r = aw(env, dir, "title", "nowhere");
            assertThat(r[0]).isEqualTo(ExitCodes.USAGE);
            assertThat((String) r[1]).contains("AGENTWIRE_TERMINAL_ID is not set");
            Path repo = dir.resolve("repo");
            Files.createDirectories(repo);
            git(repo, "init", "-q", "-b", "main");
            git(repo, "commit", "-q", "--allow-empty", "-m", "first");
            r = aw(env, repo, "follow");
            assertThat(r[0]).as((String) r[1]).isEqualTo(0);
            assertThat((String) r[1]).contains("following " + repo + " (branch main)");
            r = aw(env, dir, "follow", "/");
            assertThat(r[0]).isEqualTo(ExitCodes.ERROR);
            assertThat((String) r[1]).contains("not inside a git repository");
            r = aw(env, dir, "unfollow");
            assertThat((String) r[1]).contains("stopped following 1 repositories");
        }
        Object[] r = aw(Map.of("AGENTWIRE_HOME", home.toString()), dir, "follow");
        assertThat(r[0]).isEqualTo(ExitCodes.NO_HUB);
    }
}
