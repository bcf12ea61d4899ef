package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code api.sock} from socat, and git follow mode against a real repository. */
class ApiSocketTest {

    private AgentwireHub hub;
    private Path api;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir());
        api = hub.config().home().resolve("api.sock");
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private static String run(Path cwd, String stdin, String... command) throws Exception {
        Process p = new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
        return out;
    }

    private JsonNode ask(String line) throws Exception {
        String out = run(Path.of("/"), line + "\n", "/usr/bin/socat", "-t", "5", "-", "UNIX-CONNECT:" + api);
        return Json.mapper().readTree(out.trim());
    }

    @Test
    void socatTalksToApiSock() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "needs socat (CI installs it)");
        assertThat(Files.getPosixFilePermissions(api))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        JsonNode status = ask("{\"command\":\"status\",\"args\":{}}");
        assertThat(status.path("ok").asBoolean()).isTrue();
        assertThat(status.path("result").path("hub").asText()).isEqualTo("agentwire");
        JsonNode sessions = ask("{\"command\":\"sessions\"}");
        assertThat(sessions.path("result").path("terminals").isArray()).isTrue();
        JsonNode unknown = ask("{\"command\":\"dance\"}");
        assertThat(unknown.path("ok").asBoolean()).isFalse();
        assertThat(unknown.path("error").path("code").asInt()).isEqualTo(-32601);
        assertThat(unknown.path("error").path("message").asText()).contains("follow", "sessions", "status", "title");
        JsonNode bad = ask("not json");
        assertThat(bad.path("error").path("code").asInt()).isEqualTo(-32700);
        JsonNode noArgs = ask("{\"command\":\"title\",\"args\":{}}");
        assertThat(noArgs.path("error").path("message").asText()).contains("args.id");
    }

    @Test
    void titleOfATerminalThroughApiSock() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "needs socat (CI installs it)");
        try (AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            String id = c.request("terminals/spawn", Json.mapper().readTree("{\"command\":[\"sleep\",\"30\"]}"))
                    .get(30, TimeUnit.SECONDS)
                    .path("id")
                    .asText();
            JsonNode r = ask("{\"command\":\"title\",\"args\":{\"id\":\"" + id + "\",\"title\":\"building\"}}");
            assertThat(r.path("result").path("title").asText()).isEqualTo("building");
            assertThat(c.request("terminals/list")
                            .get(10, TimeUnit.SECONDS)
                            .path("terminals")
                            .get(0)
                            .path("title")
                            .asText())
                    .isEqualTo("building");
        }
    }

    @Test
    void followModeReportsBranchAndWorktreeChanges() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/git")), "needs git (CI installs it)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "needs socat (CI installs it)");
        Path repo = Files.createTempDirectory(Path.of("/tmp"), "awgit").resolve("repo");
        Files.createDirectories(repo);
        run(repo, "", "git", "init", "-q", "-b", "main");
        run(
                repo,
                "",
                "git",
                "-c",
                "user.email=t@example.com",
                "-c",
                "user.name=t",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "first");
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        try (AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .onNotification((m, p) -> {
                    if (m.equals("events/event") && p.path("category").asText().equals("git")) {
                        events.add(p);
                    }
                })
                .connect()) {
            c.request("events/subscribe", Json.mapper().readTree("{\"categories\":[\"git\"]}"))
                    .get(10, TimeUnit.SECONDS);
            JsonNode followed = ask("{\"command\":\"follow\",\"args\":{\"path\":\"" + repo.resolve("sub") + "\"}}");
            assertThat(followed.path("result").path("branch").asText()).isEqualTo("main");
            assertThat(followed.path("result").path("path").asText()).isEqualTo(repo.toString());
            // status says what is followed, on which branch, and that nothing has changed yet.
            JsonNode git = ask("{\"command\":\"status\"}").path("result").path("git");
            assertThat(git.path("following")).hasSize(1);
            assertThat(git.path("following").get(0).path("path").asText()).isEqualTo(repo.toString());
            assertThat(git.path("following").get(0).path("branch").asText()).isEqualTo("main");
            assertThat(git.path("following").get(0).path("lastEvent").isNull()).isTrue();
            run(repo, "", "git", "checkout", "-q", "-b", "feature");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> events.stream()
                            .anyMatch(
                                    e -> e.path("data").path("branch").asText().equals("feature")));
            JsonNode changed = events.get(events.size() - 1);
            assertThat(changed.path("action").asText()).isEqualTo("repository-changed");
            assertThat(changed.path("data").path("worktree").asText()).isEqualTo(repo.toString());
            run(repo, "", "git", "worktree", "add", "-q", "../wt", "-b", "wt-branch");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> events.stream()
                            .anyMatch(e ->
                                    e.path("data").path("worktrees").toString().contains("wt")));
            JsonNode following = ask("{\"command\":\"status\"}")
                    .path("result")
                    .path("git")
                    .path("following")
                    .get(0);
            assertThat(following.path("branch").asText()).isEqualTo("feature");
            JsonNode last = following.path("lastEvent");
            assertThat(last.path("action").asText()).isEqualTo("repository-changed");
            assertThat(last.path("at").asLong()).isPositive();
            assertThat(last.path("worktrees").toString()).contains("wt");
            JsonNode gone = ask("{\"command\":\"unfollow\",\"args\":{\"path\":\"" + repo + "\"}}");
            assertThat(gone.path("result").path("unfollowed").asInt()).isEqualTo(1);
            assertThat(ask("{\"command\":\"status\"}")
                            .path("result")
                            .path("git")
                            .path("following"))
                    .isEmpty();
            JsonNode notRepo = ask("{\"command\":\"follow\",\"args\":{\"path\":\"/\"}}");
            assertThat(notRepo.path("error").path("message").asText()).contains("not inside a git repository");
        }
    }
}
