package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** aw term and aw notify against a live hub, with real programs on real PTYs. */
class TermCommandsTest {

    private Path dir;
    private AgentwireHub hub;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "awterm");
        hub = AgentwireHub.builder()
                .home(dir.resolve("home"))
                .set("clientPort", "0")
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    /** {@code aw term SUB --connect HUB ARGS...}. */
    private AwRunner.Result term(String sub, String... args) {
        List<String> all = new ArrayList<>(List.of("term", sub, "--connect", hub.endpoint()));
        all.addAll(List.of(args));
        return aw(all.toArray(String[]::new));
    }

    /** A new terminal running {@code command}; its id. */
    private String started(String... command) {
        List<String> args = new ArrayList<>(List.of("--env", "PS1=$ ", "--"));
        args.addAll(List.of(command));
        AwRunner.Result r = term("new", args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        String id = r.out().strip();
        assertThat(id).matches("[0-9a-f]{32}");
        return id;
    }

    private String bash() {
        String id = started("bash", "--norc", "--noprofile");
        assertThat(term("wait", id, "--regex", "^\\$").code()).isZero();
        return id;
    }

    /** A test resource copied to {@code name} in a new directory, executable. */
    private Path program(String resource, String name) throws IOException {
        Path bin = Files.createTempDirectory(dir, "bin");
        Path p = bin.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/term/" + resource)) {
            Files.copy(in, p);
        }
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void runPrintsTheCommandsOutputAndExitsWithItsCode() {
        String id = bash();
        AwRunner.Result failing = term("run", id, "--", "printf 'one\\ntwo\\n'; sh -c 'exit 7'");
        assertThat(failing.code()).as(failing.err()).isEqualTo(7);
        assertThat(failing.out()).isEqualTo("one\ntwo\n");

        AwRunner.Result ok = term("run", id, "--json", "--", "echo", "hi", "#", "a comment");
        assertThat(ok.code()).as(ok.err()).isZero();
        JsonNode r = json(ok.out());
        assertThat(r.path("exitCode").asInt()).isZero();
        assertThat(r.path("output").asText()).isEqualTo("hi\n");
    }

    @Test
    void submitGetsPastATuiThatSwallowsAnEarlyEnterWhereTypingTextAndEnterAtOnceDoesNot() throws Exception {
        Path tui = program("paste-swallowing-tui.py", "tui.py");
        String id = started("python3", tui.toString());
        assertThat(term("wait", id, "--regex", "ready> $").code()).isZero();

        assertThat(term("send", id, "hello\r").code()).isZero();
        AwRunner.Result naive = term("wait", id, "--regex", "^got: ", "--timeout", "1s");
        assertThat(naive.code())
                .as("the Enter typed with the text was taken as a paste")
                .isEqualTo(5);
        assertThat(naive.err()).contains("no match for ^got: ");

        AwRunner.Result submit = term("submit", id, " world");
        assertThat(submit.code()).as(submit.err()).isZero();
        assertThat(term("read", id).out()).contains("got: hello world\n");
    }

    @Test
    void waitAnchorsCaretAndDollarAtLinesAndTimesOutWithAClearMessage() {
        String id = bash();
        assertThat(term("run", id, "--", "seq 1000 1000").code()).isZero();
        AwRunner.Result none = term("wait", id, "--regex", "^100$", "--timeout", "1s");
        assertThat(none.code()).as("the line 1000 is not the line 100").isEqualTo(5);
        assertThat(none.err()).contains("no match for ^100$ in terminal " + id + " within 1000 ms");

        assertThat(term("send", id, "echo 100\r").code()).isZero();
        AwRunner.Result line = term("wait", id, "--regex", "^100$", "--idle", "300");
        assertThat(line.code()).as(line.err()).isZero();
        assertThat(line.out()).isEqualTo("100\n");
    }

    @Test
    void keysReadScrollbackStatusLsAndKill() {
        String id = bash();
        assertThat(term("send", id, "echo typed").code()).isZero();
        assertThat(term("keys", id, "Enter").code()).isZero();
        assertThat(term("wait", id, "--regex", "^typed$").code()).isZero();
        assertThat(term("send", id, "sleep 100").code()).isZero();
        assertThat(term("keys", id, "Enter", "C-c").code()).isZero();
        assertThat(term("wait", id, "--regex", "\\^C").code()).isZero();

        assertThat(term("run", id, "--", "seq 1 60").code()).isZero();
        AwRunner.Result screen = term("read", id);
        assertThat(screen.out()).doesNotContain("\n1\n").contains("\n60\n");
        AwRunner.Result back = term("read", id, "--scrollback", "100");
        assertThat(back.out()).contains("\n1\n2\n3\n");
        JsonNode json = json(term("read", id, "--scrollback", "5", "--json").out());
        assertThat(json.path("scrollback")).hasSize(5);
        assertThat(json.path("lines")).hasSize(24);
        assertThat(json.path("status").asText()).isEqualTo("running");

        assertThat(term("status", id).out()).contains("status:  running").contains("command: bash --norc");
        assertThat(term("ls").out()).contains(id).contains("running");

        AwRunner.Result kill = term("kill", id, "--signal", "9");
        assertThat(kill.code()).as(kill.err()).isZero();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(term("status", id).out()).contains("status:  exited"));
    }

    @Test
    void anExitedTerminalStaysListedAndReadableWithItsExitCode() {
        String id = started("sh", "-c", "echo bye; exit 4");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(term("status", id).out()).contains("status:  exited (exit code 4)"));
        assertThat(term("read", id).out()).contains("bye");
        assertThat(term("ls").out()).containsPattern(id + " .* exited +4");
        AwRunner.Result send = term("send", id, "x");
        assertThat(send.code()).isEqualTo(1);
        assertThat(send.err()).contains("terminal " + id + " has exited (code 4)");
    }

    @Test
    void claudeTurnFromTheStopHookThatTermNewInstalls() throws Exception {
        Path claude = program("claude-hooks.py", "claude");
        Path aw = awOnPath();
        AwRunner.Result created = term(
                "new",
                "--claude-hooks",
                "--env",
                "PATH=" + aw.getParent() + ":" + System.getenv("PATH"),
                "--",
                claude.toString());
        assertThat(created.code()).as(created.err()).isZero();
        String id = created.out().strip();
        assertThat(term("wait", id, "--regex", "^hooks: Notification,Stop$").code())
                .isZero();

        Waiter turn = waitTurn(id);
        assertThat(term("send", id, "hello\r").code()).isZero();
        AwRunner.Result r = turn.result.get(60, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("turn ended (hook Stop)");
        assertThat(term("read", id).out()).contains("answer: hello");
    }

    @Test
    void awRunInstallsTheHooksToo() throws Exception {
        Path claude = program("claude-hooks.py", "claude");
        Path aw = awOnPath();
        Path keyboard = dir.resolve("keyboard");
        Files.writeString(keyboard, "from aw run\n\u0004");
        CompletableFuture<JsonNode> turn = new CompletableFuture<>();
        try (AgentwireClient watcher = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            watcher.onNotification("events/event", e -> {
                if (e.path("data").path("type").asText().equals("claude-turn")) {
                    turn.complete(e.path("data"));
                }
            });
            watcher.request("events/subscribe", json("{\"categories\":[\"session-monitor\"]}"))
                    .get(10, TimeUnit.SECONDS);
            ProcessBuilder pb = new ProcessBuilder(
                            AwRunner.processCommand("run", "--claude-hooks", "--", claude.toString()))
                    .redirectErrorStream(true)
                    .redirectInput(keyboard.toFile());
            pb.environment().put("AGENTWIRE_HOME", dir.resolve("home").toString());
            pb.environment().put("PATH", aw.getParent() + ":" + System.getenv("PATH"));
            pb.environment().remove("AGENTWIRE_TERMINAL_ID");
            Process run = pb.start();
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(out).isZero();
            assertThat(out).contains("hooks: Notification,Stop", "answer: from aw run", "turn done");
            JsonNode event = turn.get(30, TimeUnit.SECONDS);
            assertThat(event.path("source").asText()).isEqualTo("hook");
            assertThat(event.path("hook").asText()).isEqualTo("Stop");
            assertThat(event.path("sessionName").asText()).isEqualTo("claude");
        }
    }

    @Test
    void claudeTurnFromTheBellOfAProgramWithoutHooks() throws Exception {
        Path claude = program("claude-bell.sh", "claude");
        String id = started(claude.toString());
        assertThat(term("wait", id, "--regex", "^ready$").code()).isZero();
        Waiter turn = waitTurn(id, "--json");
        assertThat(term("send", id, "hi\r").code()).isZero();
        AwRunner.Result r = turn.result.get(30, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode event = json(r.out());
        assertThat(event.path("type").asText()).isEqualTo("claude-turn");
        assertThat(event.path("source").asText()).isEqualTo("bell");
        assertThat(event.path("sessionId").asText()).isEqualTo(id);
    }

    @Test
    void claudeTurnFromTheTitleTheProgressReportAndTheStatusLine() throws Exception {
        Path claude = program("claude-signs.sh", "claude");
        for (String[] way : new String[][] {{"title", "title"}, {"progress", "osc-9-4"}, {"status", "status-line"}}) {
            String id = started(claude.toString(), way[0]);
            assertThat(term("wait", id, "--regex", "^ready$").code()).isZero();
            Waiter turn = waitTurn(id, "--json");
            assertThat(term("send", id, "go\r").code()).isZero();
            AwRunner.Result r = turn.result.get(30, TimeUnit.SECONDS);
            assertThat(r.code()).as(way[0] + ": " + r.err()).isZero();
            assertThat(json(r.out()).path("source").asText()).as(way[0]).isEqualTo(way[1]);
        }
    }

    @Test
    void aBellInATerminalThatDoesNotRunClaudeIsNoTurn() throws Exception {
        String id = bash();
        Waiter turn = waitTurn(id, "--timeout", "2s");
        assertThat(term("send", id, "printf '\\a'\r").code()).isZero();
        AwRunner.Result r = turn.result.get(30, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(5);
        assertThat(r.err()).contains("no turn ended in terminal " + id + " within 2000 ms");
    }

    @Test
    void badInputsGetClearErrorsAndExitCodes() {
        String id = bash();
        String unknown = "0123456789abcdef0123456789abcdef";

        AwRunner.Result noSuch = term("read", unknown);
        assertThat(noSuch.code()).isEqualTo(1);
        assertThat(noSuch.err()).startsWith("aw term read: no terminal " + unknown);
        AwRunner.Result notAnId = term("status", "../x");
        assertThat(notAnId.code()).isEqualTo(1);
        assertThat(notAnId.err()).contains("a terminal id is 32 lower-case hex digits");
        assertThat(term("wait-turn", unknown).err()).contains("no terminal " + unknown);

        AwRunner.Result regex = term("wait", id, "--regex", "(unclosed");
        assertThat(regex.code()).isEqualTo(1);
        assertThat(regex.err()).contains("pattern (unclosed is not taken");

        AwRunner.Result key = term("keys", id, "Enter", "Hyper-x");
        assertThat(key.code()).isEqualTo(2);
        assertThat(key.err()).contains("unknown key Hyper-x; known: Enter, Tab");

        AwRunner.Result noDashes = term("new", "bash", "-l");
        assertThat(noDashes.code()).isEqualTo(2);
        assertThat(noDashes.err()).contains("put the command after --, as in: aw term new");
        AwRunner.Result runNoDashes = term("run", id, "ls");
        assertThat(runNoDashes.code()).isEqualTo(2);
        assertThat(runNoDashes.err()).contains("put the command after --");
        AwRunner.Result noProgram = term("new", "--", "/nonexistent/program");
        assertThat(noProgram.code()).isEqualTo(1);
        assertThat(noProgram.err()).contains("cannot start /nonexistent/program");

        AwRunner.Result hook = aw("notify", "--connect", hub.endpoint(), "--id", id, "Start");
        assertThat(hook.code()).isEqualTo(1);
        assertThat(hook.err()).contains("hook event Start does not end a turn; known: Stop");
        AwRunner.Result hookNoTerminal = aw("notify", "--connect", hub.endpoint(), "--id", unknown, "Stop");
        assertThat(hookNoTerminal.code()).isEqualTo(1);
        assertThat(hookNoTerminal.err()).contains("no terminal " + unknown);
    }

    /** A script {@code aw} that runs this build's aw, for programs in the terminals. */
    private Path awOnPath() throws IOException {
        Path bin = Files.createTempDirectory(dir, "awbin");
        Path aw = bin.resolve("aw");
        Files.writeString(
                aw,
                "#!/bin/sh\nexec "
                        + String.join(
                                " ",
                                AwRunner.processCommand().stream()
                                        .map(TermCommands::shellQuote)
                                        .toList())
                        + " \"$@\"\n");
        Files.setPosixFilePermissions(aw, PosixFilePermissions.fromString("rwx------"));
        return aw;
    }

    /** {@code aw term wait-turn ID ARGS} running, subscribed already. */
    private record Waiter(CompletableFuture<AwRunner.Result> result) {}

    private Waiter waitTurn(String id, String... more) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(List.of("term", "wait-turn", "--connect", hub.endpoint(), id));
        args.addAll(List.of(more));
        CompletableFuture<AwRunner.Result> result = CompletableFuture.supplyAsync(() -> {
            int code = Aw.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
            return new AwRunner.Result(code, out.toString(), err.toString());
        });
        await().atMost(Duration.ofSeconds(30))
                .until(() -> err.toString().contains("waiting for the end of a turn") || result.isDone());
        return new Waiter(result);
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
