package dev.agentwire.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.core.terminals.Pty;
import dev.agentwire.core.terminals.Utf8Chunks;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.terminals.Pty4jLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aw run -- COMMAND}: runs COMMAND on a PTY this process owns, in the user's own terminal (raw mode,
 * resized on SIGWINCH, its exit code passed through), and makes it a terminal session of the hub: viewers see
 * it and can type into it. The forwarder owns the PTY, so the command outlives a hub restart; the forwarder
 * reconnects and registers the session again under the same id, with what it printed meanwhile.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run COMMAND in this terminal and share it through the hub (VibeTunnel's `vt`).",
            "Exits with COMMAND's exit code (128 + N if a signal N ended it)."
        })
final class RunCommand implements Callable<Integer> {

    private static final int RING = 1 << 20;

    @Mixin
    ClientOptions client;

    @Option(names = "--name", paramLabel = "NAME", description = "the session's name (default: the command)")
    String name;

    @Option(names = "--nested", description = "run even inside an agentwire terminal")
    boolean nested;

    @Option(
            names = "--claude-hooks",
            description = "COMMAND is Claude Code: report the end of its turns through its Stop and Notification hooks"
                    + " (adds --settings; see aw notify, aw term wait-turn)")
    boolean claudeHooks;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "the command and its arguments (after --)")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final StringBuilder ring = new StringBuilder();
    private volatile AgentwireClient hub;
    private volatile boolean done;
    /** The connector is connecting and registering (not waiting to try again). */
    private volatile boolean attempting;

    @Override
    public Integer call() throws Exception {
        String outer = System.getenv("AGENTWIRE_TERMINAL_ID");
        if (outer != null && !outer.isEmpty() && !nested) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "aw run: this shell already runs in agentwire terminal " + outer
                            + "; running aw run here would share it twice (use --nested to do it anyway)");
        }
        byte[] raw = new byte[16];
        new SecureRandom().nextBytes(raw);
        String id = HexFormat.of().formatHex(raw);
        boolean tty = System.console() != null && Tty.isTty();
        int[] size = tty ? Tty.size() : new int[] {80, 24};
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("AGENTWIRE_TERMINAL_ID", id);
        env.putIfAbsent("TERM", "xterm-256color");
        String cwd = System.getProperty("user.dir");
        if (claudeHooks) {
            command = ClaudeHooks.install(command, client.endpoint);
        }
        Pty pty = new Pty4jLauncher().launch(command, cwd, env, size[0], size[1]);
        String saved = tty ? Tty.raw() : null;
        try {
            Thread connector = new Thread(() -> connect(id, size, cwd, pty), "aw-run-connect");
            connector.setDaemon(true);
            connector.start();
            Thread keyboard = new Thread(() -> copyKeyboard(pty), "aw-run-keyboard");
            keyboard.setDaemon(true);
            keyboard.start();
            if (tty) {
                Tty.onResize(() -> {
                    int[] now = Tty.size();
                    pty.resize(now[0], now[1]);
                    AgentwireClient h = hub;
                    if (h != null) {
                        h.request(
                                "terminals/resize",
                                Json.mapper()
                                        .createObjectNode()
                                        .put("id", id)
                                        .put("cols", now[0])
                                        .put("rows", now[1]));
                    }
                });
            }
            copyOutput(id, pty);
            int code = pty.waitFor();
            done = true;
            if (hub == null && connector.isAlive()) {
                if (attempting) {
                    // A short command may end while its registration is on the way: let that land, so the hub
                    // learns the exit code instead of seeing the forwarder vanish.
                    connector.join(10_000);
                } else {
                    connector.interrupt(); // waiting to try again: there is no hub to tell
                }
            }
            AgentwireClient h = hub;
            if (h != null) {
                h.request(
                                "terminals/forward-exit",
                                Json.mapper().createObjectNode().put("id", id).put("exitCode", code))
                        .handle((r, e) -> null)
                        .get(5, TimeUnit.SECONDS);
                h.close();
            }
            if (code > 128 && code < 128 + 65) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("aw run: " + command.get(0) + " was ended by signal " + (code - 128));
                err.flush();
            }
            return code;
        } finally {
            if (saved != null) {
                Tty.restore(saved);
            }
        }
    }

    /** Connects (again and again while the hub is away) and registers the session. */
    private void connect(String id, int[] size, String cwd, Pty pty) {
        long backoff = 500;
        while (!done && hub == null) {
            attempting = true;
            try {
                AgentwireClient c = client.builder("aw run " + String.join(" ", command))
                        .reconnect(true)
                        .requestTimeout(Duration.ofSeconds(10))
                        .connect();
                c.onNotification(
                        "terminals/forward-input", p -> pty.type(p.path("text").asText()));
                c.onNotification(
                        "terminals/forward-resize",
                        p -> pty.resize(p.path("cols").asInt(80), p.path("rows").asInt(24)));
                c.onNotification(
                        "terminals/forward-signal",
                        p -> pty.signal(p.path("signal").asInt(15)));
                c.onReconnect(x -> register(x, id, size, cwd, pty));
                register(c, id, size, cwd, pty).get(10, TimeUnit.SECONDS);
                hub = c;
                attempting = false;
            } catch (Exception e) {
                attempting = false;
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    private java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.JsonNode> register(
            AgentwireClient c, String id, int[] size, String cwd, Pty pty) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("id", id);
        var cmd = p.putArray("command");
        command.forEach(cmd::add);
        p.put("cwd", cwd);
        p.put("cols", size[0]);
        p.put("rows", size[1]);
        p.put("pid", pty.pid());
        if (name != null) {
            p.put("name", name);
        }
        synchronized (ring) {
            p.put("scrollback", ring.toString());
        }
        return c.request("terminals/register", p);
    }

    /** The user's keyboard to the command. */
    private void copyKeyboard(Pty pty) {
        byte[] buf = new byte[4096];
        try (InputStream in = System.in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                OutputStream out = pty.input();
                synchronized (out) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // stdin closed or the process gone
        }
    }

    /** The command's output to the user's terminal, the ring, and the hub. */
    private void copyOutput(String id, Pty pty) {
        Utf8Chunks decoder = new Utf8Chunks(16 * 1024);
        byte[] buf = new byte[16 * 1024];
        try (InputStream stream = pty.output()) {
            int n;
            while ((n = stream.read(buf)) > 0) {
                System.out.write(buf, 0, n);
                System.out.flush();
                String text = decoder.decode(buf, n);
                synchronized (ring) {
                    ring.append(text);
                    if (ring.length() > RING) {
                        ring.delete(0, ring.length() - RING);
                    }
                }
                AgentwireClient h = hub;
                if (h != null) {
                    h.notify(
                            "terminals/forward-output",
                            Json.mapper().createObjectNode().put("id", id).put("data", text));
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }
}
