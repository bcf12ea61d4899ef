package dev.agentwire.cli;

import static dev.agentwire.cli.TermCommands.id;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code aw term} commands that wait for the terminal: submit, wait, run, wait-turn. */
final class TermDrive {

    /** How often a command that waits for the screen to change or settle looks at it. */
    private static final long LOOK_MS = 50;

    private TermDrive() {}

    /** A command of these that connects itself, with the shared options; its --timeout bounds its wait. */
    abstract static class Waiting implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        Duration timeout(Duration fallback) {
            return client.timeout(fallback);
        }
    }

    /** Terminal {@code id}'s screen lines. */
    static List<String> screen(AgentwireClient hub, String id) throws Exception {
        List<String> lines = new ArrayList<>();
        hub.request("terminals/read", id(id)).get().path("lines").forEach(l -> lines.add(l.asText()));
        return lines;
    }

    /** The screen once it stopped changing for {@code quietMs} (or as it is at {@code deadline}, nanoTime). */
    static List<String> settled(AgentwireClient hub, String id, long quietMs, long deadline) throws Exception {
        return quiet(hub, id, quietMs, deadline).lines();
    }

    /** The screen, and whether it stayed unchanged for {@code quietMs} before {@code deadline} (nanoTime). */
    record Quiet(List<String> lines, boolean quiet) {}

    static Quiet quiet(AgentwireClient hub, String id, long quietMs, long deadline) throws Exception {
        List<String> last = screen(hub, id);
        long still = System.nanoTime();
        while (System.nanoTime() - still < quietMs * 1_000_000) {
            if (System.nanoTime() - deadline >= 0) {
                return new Quiet(last, false);
            }
            Thread.sleep(LOOK_MS);
            List<String> now = screen(hub, id);
            if (!now.equals(last)) {
                last = now;
                still = System.nanoTime();
            }
        }
        return new Quiet(last, true);
    }

    /** Whether the screen differs from {@code before} within {@code ms}. */
    static boolean changes(AgentwireClient hub, String id, List<String> before, long ms) throws Exception {
        long deadline = System.nanoTime() + ms * 1_000_000;
        do {
            Thread.sleep(LOOK_MS);
            if (!screen(hub, id).equals(before)) {
                return true;
            }
        } while (System.nanoTime() - deadline < 0);
        return false;
    }

    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description = {
                "Type TEXT into terminal ID and press Enter the way a person does: waits --pause after typing so a",
                "TUI does not take the Enter as part of a paste, checks that the screen changed, and presses Enter",
                "once more if it did not. Exits 1 if the screen never changed."
            })
    static final class Submit extends Waiting {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Option(
                names = "--pause",
                paramLabel = "MS",
                defaultValue = "200",
                description = "between typing and Enter, at least 150 (default: 200)")
        long pauseMs;

        @Override
        public Integer call() throws Exception {
            if (pauseMs < 150) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--pause must be at least 150 ms (TUIs take a faster Enter as pasted)");
            }
            long changeMs = timeout(Duration.ofSeconds(2)).toMillis();
            try (AgentwireClient hub = TermCommands.connect(client, spec, Duration.ofMillis(changeMs))) {
                hub.request("terminals/input", id(id).put("text", text)).get();
                Thread.sleep(pauseMs);
                // What the typing drew, once it is drawn: Enter must change more than that.
                List<String> typed = settled(hub, id, 100, System.nanoTime() + 1_000_000_000L);
                for (int attempt = 1; attempt <= 2; attempt++) {
                    hub.request("terminals/key", id(id).put("key", "Enter")).get();
                    if (changes(hub, id, typed, changeMs)) {
                        if (client.json) {
                            ClientOptions.printJson(
                                    out(), id(id).put("submitted", true).put("enters", attempt));
                        }
                        return ExitCodes.OK;
                    }
                }
            }
            throw new CommandFailure(
                    ExitCodes.ERROR,
                    "the screen of terminal " + id + " did not change within " + changeMs
                            + " ms of Enter, pressed twice");
        }
    }

    @Command(
            name = "wait",
            mixinStandardHelpOptions = true,
            description = {
                "Wait until terminal ID's screen (or its output from now on) matches --regex; prints the match.",
                "RE2 syntax; ^ and $ anchor lines. Exits 0 on a match, 5 when --timeout passes first."
            })
    static final class Wait extends Waiting {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--regex", paramLabel = "R", required = true, description = "the pattern")
        String regex;

        @Option(
                names = "--idle",
                paramLabel = "MS",
                description = "after the match, also wait until the screen has not changed for MS")
        Long idleMs;

        @Override
        public Integer call() throws Exception {
            if (idleMs != null && idleMs <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--idle must be positive");
            }
            Duration timeout = timeout(Duration.ofSeconds(10));
            long deadline = System.nanoTime() + timeout.toNanos();
            try (AgentwireClient hub = TermCommands.connect(client, spec, timeout)) {
                JsonNode match = hub.request(
                                "terminals/wait", id(id).put("pattern", regex).put("timeoutMs", timeout.toMillis()))
                        .get();
                if (idleMs != null && !quiet(hub, id, idleMs, deadline).quiet()) {
                    throw new CommandFailure(
                            ExitCodes.TIMEOUT,
                            regex + " matched in terminal " + id + ", but its screen did not stay still for " + idleMs
                                    + " ms within " + timeout.toMillis() + " ms");
                }
                if (client.json) {
                    ClientOptions.printJson(out(), match);
                } else {
                    out().println(match.path("match").asText());
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = {
                "Run a shell command in terminal ID (a shell at its prompt), print its output and exit with its",
                "exit code. The command is typed with markers around it, which find where its output ends."
            })
    static final class Run extends Waiting {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "CMD", description = "the command, after --")
        List<String> command = new ArrayList<>();

        @CommandLine.Unmatched
        List<String> unmatched = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            TermCommands.requireDashDash(spec, unmatched, "aw term run ID -- make test");
            if (command.isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "no command after --, as in: aw term run ID -- ls -l");
            }
            byte[] raw = new byte[8];
            new SecureRandom().nextBytes(raw);
            String nonce = HexFormat.of().formatHex(raw);
            String start = "__AW_" + nonce + "_start__";
            String end = "__AW_" + nonce + "_end_";
            // One line, so no prompt comes between the markers; the command goes through eval so that a comment or
            // an & in it cannot swallow the end marker. The markers are printed with %s, so the echo of the typed
            // line never matches them. A leading space keeps the line out of the shell's history.
            String line = " printf '__AW_%s_start__\\n' " + nonce + "; eval "
                    + TermCommands.shellQuote(String.join(" ", command)) + "; printf '\\n__AW_%s_end_%s__\\n' " + nonce
                    + " $?\r";
            Duration timeout = timeout(Duration.ofSeconds(30));
            try (AgentwireClient hub = TermCommands.connect(client, spec, timeout)) {
                // The wait is asked first, so the end is seen however soon it comes.
                CompletableFuture<JsonNode> done = hub.request(
                        "terminals/wait",
                        id(id).put("pattern", end + "(\\d+)__").put("timeoutMs", timeout.toMillis()));
                hub.request("terminals/input", id(id).put("text", line)).get();
                JsonNode match;
                try {
                    match = done.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (Failures.unwrap(e) instanceof RpcException r && r.code() == ErrorCode.TIMEOUT.code()) {
                        throw new CommandFailure(
                                ExitCodes.TIMEOUT,
                                "the command did not finish in terminal " + id + " within " + timeout.toMillis()
                                        + " ms (it may still run: aw term read " + id + ")");
                    }
                    throw e;
                }
                int code = Integer.parseInt(match.path("groups").get(0).asText());
                String output = between(TermCommands.rawScrollback(hub, id), start, end);
                if (client.json) {
                    ObjectNode r = Json.mapper().createObjectNode();
                    r.put("id", id).put("exitCode", code).put("output", output);
                    ClientOptions.printJson(out(), r);
                } else {
                    out().print(output);
                    out().flush();
                }
                return code;
            }
        }

        /** The plain text printed between the start marker's line and the end marker (after its newline). */
        static String between(String raw, String start, String end) {
            String text = TermText.plain(raw);
            int e = text.lastIndexOf(end);
            if (e < 0) {
                return "";
            }
            int s = text.lastIndexOf(start + "\n", e);
            String out = s < 0 ? text.substring(0, e) : text.substring(s + start.length() + 1, e);
            return out.endsWith("\n") ? out.substring(0, out.length() - 1) : out;
        }
    }

    @Command(
            name = "wait-turn",
            mixinStandardHelpOptions = true,
            description = {
                "Wait for the next end of Claude Code's turn in terminal ID (the claude-turn notification) and",
                "print which source saw it: hook, bell, osc-9-4, title or status-line. Exits 5 at --timeout",
                "(default 10m), 1 if the terminal exits first."
            })
    static final class WaitTurn extends Waiting {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            Duration timeout = timeout(Duration.ofMinutes(10));
            try (AgentwireClient hub = TermCommands.connect(client, spec, Duration.ofSeconds(5))) {
                CompletableFuture<JsonNode> turn = new CompletableFuture<>();
                hub.onNotification("events/event", e -> {
                    JsonNode data = e.path("data");
                    if (e.path("category").asText().equals("session-monitor")
                            && data.path("sessionId").asText().equals(id)) {
                        switch (data.path("type").asText()) {
                            case "claude-turn" -> turn.complete(data);
                            case "session-exit" ->
                                turn.completeExceptionally(new CommandFailure(
                                        ExitCodes.ERROR,
                                        "terminal " + id + " exited (code "
                                                + data.path("exitCode").asText() + ") before a turn ended"));
                            default -> {}
                        }
                    }
                });
                hub.request(
                                "events/subscribe",
                                Json.mapper()
                                        .createObjectNode()
                                        .set(
                                                "categories",
                                                Json.mapper().createArrayNode().add("session-monitor")))
                        .get();
                JsonNode session = hub.request("terminals/read", id(id)).get();
                if (!session.path("status").asText().equals("running")) {
                    throw new CommandFailure(ExitCodes.ERROR, "terminal " + id + " has exited");
                }
                err().println("waiting for the end of a turn in terminal " + id);
                err().flush();
                JsonNode data;
                try {
                    data = turn.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    throw new CommandFailure(
                            ExitCodes.TIMEOUT,
                            "no turn ended in terminal " + id + " within " + timeout.toMillis() + " ms");
                }
                if (client.json) {
                    ClientOptions.printJson(out(), data);
                } else {
                    String hook = data.path("hook").asText("");
                    out().println("turn ended (" + data.path("source").asText() + (hook.isEmpty() ? "" : " " + hook)
                            + "): " + data.path("message").asText());
                }
            }
            return ExitCodes.OK;
        }
    }
}
