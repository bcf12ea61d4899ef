package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.core.terminals.Keys;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aw term}: the hub's terminals driven from a shell, for agents with a shell tool and no TTY (send-keys,
 * capture-pane, wait-for). Each subcommand is one or a few {@code terminals/*} calls; the ones that wait are in
 * {@link TermDrive}.
 */
final class TermCommands {

    private TermCommands() {}

    @Command(
            name = "term",
            mixinStandardHelpOptions = true,
            description = "Drive the hub's terminals from a shell: start one, type, press keys, read, wait, run.",
            subcommands = {
                New.class,
                Send.class,
                KeysCommand.class,
                TermDrive.Submit.class,
                Read.class,
                TermDrive.Wait.class,
                TermDrive.Run.class,
                TermDrive.WaitTurn.class,
                Status.class,
                Kill.class,
                Ls.class
            })
    static final class Term implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return ExitCodes.USAGE;
        }
    }

    /** A usage error unless the command line put the program after {@code --}. */
    static void requireDashDash(CommandLine.Model.CommandSpec spec, List<String> unmatched, String example) {
        if (!spec.commandLine().getParseResult().originalArgs().contains("--") || !unmatched.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "put the command after --, as in: " + example);
        }
    }

    /** {@code s} as one word for a POSIX shell. */
    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static ObjectNode id(String id) {
        return Json.mapper().createObjectNode().put("id", id);
    }

    @Command(
            name = "new",
            mixinStandardHelpOptions = true,
            description = "Start CMD on a new terminal of the hub; prints its id.")
    static final class New extends HubCall {
        @Option(names = "--name", paramLabel = "NAME", description = "the terminal's name (default: the program)")
        String name;

        @Option(names = "--cols", paramLabel = "C", defaultValue = "80", description = "columns (default: 80)")
        int cols;

        @Option(names = "--rows", paramLabel = "R", defaultValue = "24", description = "rows (default: 24)")
        int rows;

        @Option(names = "--cwd", paramLabel = "DIR", description = "where it starts (default: this directory)")
        String cwd;

        @Option(names = "--env", paramLabel = "NAME=VALUE", description = "set in its environment (repeatable)")
        Map<String, String> env = new LinkedHashMap<>();

        @Option(
                names = "--claude-hooks",
                description = "CMD is Claude Code: report the end of its turns through its Stop and Notification"
                        + " hooks (adds --settings after the program; see aw notify, aw term wait-turn)")
        boolean claudeHooks;

        @Parameters(paramLabel = "CMD", arity = "0..*", description = "the program and its arguments, after --")
        List<String> command = new ArrayList<>();

        @CommandLine.Unmatched
        List<String> unmatched = new ArrayList<>();

        @Override
        Ask prepare() {
            requireDashDash(spec, unmatched, "aw term new --name build -- bash -l");
            if (command.isEmpty()) {
                throw usage("no command after --, as in: aw term new -- bash");
            }
            List<String> cmd = claudeHooks ? ClaudeHooks.install(command, client.endpoint) : command;
            ObjectNode params = Json.mapper().createObjectNode();
            ArrayNode c = params.putArray("command");
            cmd.forEach(c::add);
            params.put("cwd", cwd != null ? cwd : System.getProperty("user.dir"));
            params.put("cols", cols).put("rows", rows);
            if (name != null) {
                params.put("name", name);
            }
            ObjectNode e = params.putObject("env");
            String home = System.getenv("AGENTWIRE_HOME");
            if (home != null && !env.containsKey("AGENTWIRE_HOME")) {
                e.put("AGENTWIRE_HOME", home); // so that aw inside finds this hub
            }
            env.forEach(e::put);
            return request("terminals/spawn", params);
        }

        @Override
        void printText(PrintWriter out, JsonNode session) {
            out.println(session.path("id").asText());
        }
    }

    @Command(
            name = "send",
            mixinStandardHelpOptions = true,
            description = "Type TEXT into terminal ID, as is (no Enter: add it with aw term keys ID Enter).")
    static final class Send extends HubCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Override
        Ask prepare() {
            return request("terminals/input", id(id).put("text", text));
        }

        @Override
        void printText(PrintWriter out, JsonNode answer) {}
    }

    @Command(
            name = "keys",
            mixinStandardHelpOptions = true,
            description = {"Press KEYs in terminal ID, in order: Enter C-c Up Tab Escape F1 ...", "Keys: " + Keys.KNOWN
            })
    static final class KeysCommand extends HubCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY")
        List<String> keys;

        @Override
        Ask prepare() {
            StringBuilder bytes = new StringBuilder();
            for (String k : keys) {
                bytes.append(Keys.find(k).orElseThrow(() -> usage("unknown key " + k + "; known: " + Keys.KNOWN)));
            }
            // One write: the keys arrive together and in order, and none is sent if one is unknown.
            return request("terminals/input", id(id).put("text", bytes.toString()));
        }

        @Override
        void printText(PrintWriter out, JsonNode answer) {}
    }

    @Command(
            name = "read",
            mixinStandardHelpOptions = true,
            description = "Print terminal ID's screen as text (--json: lines, cursor, size, status).")
    static final class Read extends HubCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(
                names = "--scrollback",
                paramLabel = "N",
                description = "first the last N lines of its output (control sequences removed)")
        Integer scrollback;

        @Override
        Ask prepare() {
            if (scrollback != null && scrollback < 0) {
                throw usage("--scrollback takes a number of lines >= 0, not " + scrollback);
            }
            return hub -> {
                ObjectNode screen =
                        (ObjectNode) hub.request("terminals/read", id(id)).get();
                if (scrollback != null) {
                    screen.set("scrollback", scrollbackLines(hub, id, scrollback));
                }
                return screen;
            };
        }

        @Override
        void printText(PrintWriter out, JsonNode screen) {
            screen.path("scrollback").forEach(l -> out.println(l.asText()));
            screenLines(screen).forEach(out::println);
        }
    }

    /** The last {@code n} lines of terminal {@code id}'s output, from the scrollback a viewer is given. */
    static ArrayNode scrollbackLines(AgentwireClient hub, String id, int n) throws Exception {
        String raw = rawScrollback(hub, id);
        ArrayNode lines = Json.mapper().createArrayNode();
        TermText.lastLines(raw, n).forEach(lines::add);
        return lines;
    }

    /** Terminal {@code id}'s scrollback as written: attach, take it, detach. */
    static String rawScrollback(AgentwireClient hub, String id) throws Exception {
        JsonNode attached =
                hub.request("terminals/attach", id(id).put("frames", false)).get();
        hub.request("terminals/detach", id(id)).get();
        return attached.path("scrollback").asText();
    }

    /** The screen's lines without the empty ones at its bottom. */
    static List<String> screenLines(JsonNode screen) {
        List<String> lines = new ArrayList<>();
        screen.path("lines").forEach(l -> lines.add(l.asText()));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show terminal ID: running or exited.")
    static final class Status extends HubCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        Ask prepare() {
            return hub -> {
                // terminals/read says clearly what is wrong with the id; the list has the rest.
                hub.request("terminals/read", id(id)).get();
                for (JsonNode t : hub.request("terminals/list").get().path("terminals")) {
                    if (t.path("id").asText().equals(id)) {
                        return t;
                    }
                }
                throw new CommandFailure(ExitCodes.ERROR, "no terminal " + id);
            };
        }

        @Override
        void printText(PrintWriter out, JsonNode t) {
            out.println("id:      " + t.path("id").asText());
            out.println("name:    " + t.path("name").asText());
            out.println("status:  " + t.path("status").asText()
                    + (t.path("exitCode").isNull()
                            ? ""
                            : " (exit code " + t.path("exitCode").asInt() + ")"));
            out.println("title:   " + t.path("title").asText());
            out.println("command: " + String.join(" ", strings(t.path("command"))));
            out.println("cwd:     " + t.path("cwd").asText());
            out.println("pid:     " + t.path("pid").asLong());
            out.println(
                    "size:    " + t.path("cols").asInt() + "x" + t.path("rows").asInt());
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Command(
            name = "kill",
            mixinStandardHelpOptions = true,
            description = "Send terminal ID's process a signal (default 15, SIGTERM).")
    static final class Kill extends HubCall {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--signal", paramLabel = "N", defaultValue = "15", description = "the signal (default: 15)")
        int signal;

        @Override
        Ask prepare() {
            return request("terminals/kill", id(id).put("signal", signal));
        }

        @Override
        void printText(PrintWriter out, JsonNode answer) {
            out.println("sent signal " + signal + " to " + id);
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the hub's terminals.")
    static final class Ls extends HubCall {
        @Override
        Ask prepare() {
            return request("terminals/list");
        }

        @Override
        void printText(PrintWriter out, JsonNode list) {
            out.printf("%-32s  %-16s %-8s %4s  %s%n", "ID", "NAME", "STATUS", "EXIT", "TITLE");
            for (JsonNode t : list.path("terminals")) {
                out.printf(
                        "%-32s  %-16s %-8s %4s  %s%n",
                        t.path("id").asText(),
                        t.path("name").asText(),
                        t.path("status").asText(),
                        t.path("exitCode").isNull() ? "" : t.path("exitCode").asText(),
                        t.path("title").asText());
            }
        }
    }

    /** Connects for a command that waits up to {@code waitFor}: requests may take that long, and a bit. */
    static AgentwireClient connect(ClientOptions client, CommandLine.Model.CommandSpec spec, Duration waitFor) {
        return client.builder(HubCall.clientName(spec))
                .requestTimeout(waitFor.plusSeconds(5))
                .connect();
    }
}
