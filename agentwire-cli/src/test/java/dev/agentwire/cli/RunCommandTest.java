package dev.agentwire.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code aw run}: exit codes, signals, nesting, and a person using it in tmux across a hub restart. */
class RunCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static AgentwireHub hub(Path home) {
        return AgentwireHub.builder().home(home).set("clientPort", "0").build().start();
    }

    private static Object[] aw(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(AwRunner.processCommand(args)).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Object[] {p.exitValue(), out};
    }

    private static JsonNode terminals(AgentwireHub hub) throws Exception {
        try (AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            return c.request("terminals/list").get(10, TimeUnit.SECONDS).path("terminals");
        }
    }

    private static JsonNode quick(AgentwireHub hub) throws Exception {
        for (JsonNode t : terminals(hub)) {
            if (t.path("name").asText().equals("quick")) {
                return t;
            }
        }
        return null;
    }

    @Test
    void exitCodesAndSignalsPassThroughAndTheHubSeesTheSession() throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "awrun").resolve("home");
        try (AgentwireHub hub = hub(home)) {
            Map<String, String> env = Map.of("AGENTWIRE_HOME", home.toString());
            Object[] r = aw(env, "run", "--name", "seven", "--", "sh", "-c", "echo out-of-seven; sleep 1; exit 7");
            assertThat(r[0]).as((String) r[1]).isEqualTo(7);
            assertThat((String) r[1]).contains("out-of-seven").doesNotContain("ExtractedNative");
            await().atMost(WAIT)
                    .until(() -> terminals(hub).size() == 1
                            && terminals(hub).get(0).path("status").asText().equals("exited"));
            JsonNode t = terminals(hub).get(0);
            assertThat(t.path("name").asText()).isEqualTo("seven");
            assertThat(t.path("exitCode").asInt()).isEqualTo(7);
            // A command that ends before its registration has landed: the hub still gets its exit code.
            r = aw(env, "run", "--name", "quick", "--", "sh", "-c", "exit 3");
            assertThat(r[0]).as((String) r[1]).isEqualTo(3);
            await().atMost(WAIT)
                    .until(() -> quick(hub) != null
                            && quick(hub).path("status").asText().equals("exited"));
            assertThat(quick(hub).path("exitCode").asInt()).isEqualTo(3);
            r = aw(env, "run", "--", "sh", "-c", "kill -9 $$");
            assertThat(r[0]).isEqualTo(137);
            assertThat((String) r[1]).contains("aw run: sh was ended by signal 9");
            r = aw(Map.of("AGENTWIRE_HOME", home.toString(), "AGENTWIRE_TERMINAL_ID", "0123"), "run", "--", "true");
            assertThat(r[0]).isEqualTo(ExitCodes.USAGE);
            assertThat((String) r[1]).contains("already runs in agentwire terminal 0123", "--nested");
        }
    }

    private static String tmux(String socket, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    void aPersonUsesAwRunInTmuxAndTheSessionOutlivesAHubRestart() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tmux")), "needs tmux (CI installs it)");
        Path home = Files.createTempDirectory(Path.of("/tmp"), "awtmux").resolve("home");
        String socket = "aw-test-" + ProcessHandle.current().pid();
        AgentwireHub first = hub(home);
        AgentwireHub[] running = {first};
        try {
            String shell = "AGENTWIRE_HOME=" + quote(home.toString()) + " PS1='$ ' "
                    + AwRunner.processCommand("run", "--name", "tmux-shell", "--", "bash", "--norc", "--noprofile")
                            .stream()
                            .map(RunCommandTest::quote)
                            .collect(Collectors.joining(" "));
            tmux(socket, "new-session", "-d", "-s", "aw", "-x", "100", "-y", "30", shell);
            await().atMost(WAIT).until(() -> terminals(first).size() == 1);
            String id = terminals(first).get(0).path("id").asText();
            assertThat(terminals(first).get(0).path("cols").asInt())
                    .as("the pane's size")
                    .isEqualTo(100);
            try (AgentwireClient c = AgentwireClient.builder()
                    .endpoint(first.endpoint())
                    .reconnect(false)
                    .connect()) {
                c.request(
                                "terminals/wait",
                                Json.mapper().createObjectNode().put("id", id).put("pattern", "(?m)^\\$"))
                        .get(60, TimeUnit.SECONDS);
                tmux(socket, "send-keys", "-t", "aw", "echo typed-one", "Enter");
                c.request(
                                "terminals/wait",
                                Json.mapper().createObjectNode().put("id", id).put("pattern", "(?m)^typed-one"))
                        .get(60, TimeUnit.SECONDS);
            }
            // The hub goes away and comes back; the shell in tmux never notices.
            first.close();
            tmux(socket, "send-keys", "-t", "aw", "echo typed-while-away", "Enter");
            AgentwireHub second = hub(home);
            running[0] = second;
            await().atMost(WAIT)
                    .until(() -> terminals(second).size() == 1
                            && terminals(second).get(0).path("status").asText().equals("running"));
            assertThat(terminals(second).get(0).path("id").asText())
                    .as("the same session")
                    .isEqualTo(id);
            try (AgentwireClient c = AgentwireClient.builder()
                    .endpoint(second.endpoint())
                    .reconnect(false)
                    .connect()) {
                JsonNode attached = c.request(
                                "terminals/attach",
                                Json.mapper().createObjectNode().put("id", id))
                        .get(10, TimeUnit.SECONDS);
                assertThat(attached.path("scrollback").asText()).contains("typed-one", "typed-while-away");
                // Typed through the hub, into the shell that runs in tmux.
                c.request(
                                "terminals/input",
                                Json.mapper().createObjectNode().put("id", id).put("text", "echo from-the-hub\r"))
                        .get(10, TimeUnit.SECONDS);
                c.request(
                                "terminals/wait",
                                Json.mapper().createObjectNode().put("id", id).put("pattern", "(?m)^from-the-hub"))
                        .get(60, TimeUnit.SECONDS);
            }
            await().atMost(WAIT)
                    .until(() -> tmux(socket, "capture-pane", "-p", "-t", "aw").contains("from-the-hub"));
            String pane = tmux(socket, "capture-pane", "-p", "-t", "aw");
            assertThat(pane).contains("typed-one", "typed-while-away", "from-the-hub");
            // The person makes the window bigger: SIGWINCH reaches aw run, which resizes the PTY and tells the hub.
            tmux(socket, "resize-window", "-t", "aw", "-x", "120", "-y", "35");
            await().atMost(WAIT)
                    .until(() -> terminals(second).get(0).path("cols").asInt() == 120);
            assertThat(terminals(second).get(0).path("rows").asInt()).isEqualTo(35);
            tmux(socket, "send-keys", "-t", "aw", "exit 3", "Enter");
            await().atMost(WAIT)
                    .until(() ->
                            terminals(second).get(0).path("status").asText().equals("exited"));
            assertThat(terminals(second).get(0).path("exitCode").asInt()).isEqualTo(3);
        } finally {
            tmux(socket, "kill-server");
            running[0].close();
        }
    }
}
