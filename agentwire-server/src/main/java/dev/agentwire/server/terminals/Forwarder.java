package dev.agentwire.server.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.terminals.Pty;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.core.terminals.Utf8Chunks;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The process that owns a spawned terminal's PTY, so that the terminal outlives the hub ({@link ProcessForwarders}
 * starts it): it runs the command, registers the terminal with the hub ({@code terminals/register}, under the id
 * it is given) and forwards its output; it types, resizes and signals as the hub says. When the hub goes away it
 * keeps the command running and the last {@link #RING} characters of its output, connects again until a hub
 * answers, and registers again with them, so the new hub rebuilds the screen. It exits with the command's code once
 * the hub has heard it. Kept small: the JDK's Unix socket, Jackson and pty4j, nothing else (docs/BENCHMARKS.md,
 * "Terminal forwarders").
 *
 * <p>{@code Forwarder --id ID --cols C --rows R --cwd DIR --connect unix:/path [--name N] -- COMMAND...}; the
 * command's environment is the forwarder's.
 */
public final class Forwarder {

    /** Output kept for a registration after a hub restart. */
    static final int RING = 1 << 20;

    private final String id;
    private final List<String> command;
    private final String cwd;
    private final int cols;
    private final int rows;
    private final String name;
    private final Path socket;
    /** The output kept, and the lock under which output is both kept and sent (so a registration loses none). */
    private final StringBuilder ring = new StringBuilder();

    private volatile HubLink hub;
    private volatile boolean done;

    private Forwarder(String id, List<String> command, String cwd, int cols, int rows, String name, Path socket) {
        this.id = id;
        this.command = command;
        this.cwd = cwd;
        this.cols = cols;
        this.rows = rows;
        this.name = name;
        this.socket = socket;
    }

    public static void main(String[] args) throws Exception {
        Forwarder f;
        try {
            f = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("forwarder: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(f.run());
    }

    static Forwarder parse(String[] args) {
        String id = null;
        String cwd = System.getProperty("user.dir");
        String name = null;
        String connect = null;
        int cols = 80;
        int rows = 24;
        int i = 0;
        for (; i < args.length && !args[i].equals("--"); i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--id" -> id = v;
                case "--cwd" -> cwd = v;
                case "--name" -> name = v;
                case "--connect" -> connect = v;
                case "--cols" -> cols = Integer.parseInt(v);
                case "--rows" -> rows = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (id == null || !id.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("--id must be 32 lower-case hex digits");
        }
        if (connect == null || !connect.startsWith("unix:/")) {
            throw new IllegalArgumentException("--connect must be unix:/path of the hub's socket");
        }
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException("the command goes after --");
        }
        List<String> command = List.of(args).subList(i + 1, args.length);
        return new Forwarder(id, command, cwd, cols, rows, name, Path.of(connect.substring("unix:".length())));
    }

    private int run() throws Exception {
        Pty pty = new Pty4jLauncher()
                .launch(command, cwd, ProcessForwarders.childEnvironment(System.getenv()), cols, rows);
        Thread connector = new Thread(() -> connect(pty), "aw-forwarder-connect");
        connector.setDaemon(true);
        connector.start();
        copyOutput(pty);
        int code = pty.waitFor();
        done = true;
        tellExit(code, connector);
        return code;
    }

    /** Connects (again and again while the hub is away) and registers the terminal. */
    private void connect(Pty pty) {
        long backoff = 200;
        while (!done) {
            HubLink link;
            try {
                link = HubLink.open(socket, n -> onNotification(pty, n));
            } catch (IOException e) {
                backoff = pause(backoff);
                continue;
            }
            try {
                CompletableFuture<JsonNode> registered;
                synchronized (ring) {
                    registered = link.request("terminals/register", registration(pty));
                    hub = link; // from here on output goes to this hub, after the ring it registered with
                }
                registered.get(30, TimeUnit.SECONDS);
                backoff = 200;
                link.closed().join();
            } catch (Exception e) {
                backoff = pause(backoff);
            } finally {
                hub = null;
                link.close();
            }
        }
    }

    private static long pause(long backoff) {
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Math.min(backoff * 2, 2000);
    }

    private ObjectNode registration(Pty pty) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("id", id);
        var cmd = p.putArray("command");
        command.forEach(cmd::add);
        p.put("cwd", cwd);
        p.put("cols", cols);
        p.put("rows", rows);
        p.put("pid", pty.pid());
        if (name != null) {
            p.put("name", name);
        }
        p.put("scrollback", ring.toString());
        String secret = System.getenv(TerminalService.SECRET_ENV);
        if (secret != null) {
            p.put("secret", secret);
        }
        return p;
    }

    private void onNotification(Pty pty, JsonNode m) {
        JsonNode p = m.path("params");
        switch (m.path("method").asText()) {
            case "terminals/forward-input" -> pty.type(p.path("text").asText());
            case "terminals/forward-resize" ->
                pty.resize(p.path("cols").asInt(cols), p.path("rows").asInt(rows));
            case "terminals/forward-signal" -> pty.signal(p.path("signal").asInt(15));
            default -> {
                // nothing else is for a forwarder
            }
        }
    }

    /** The command's output to the ring and, when one is connected, the hub. */
    private void copyOutput(Pty pty) {
        Utf8Chunks decoder = new Utf8Chunks(16 * 1024);
        byte[] buf = new byte[16 * 1024];
        try (InputStream stream = pty.output()) {
            int n;
            while ((n = stream.read(buf)) > 0) {
                String text = decoder.decode(buf, n);
                synchronized (ring) {
                    ring.append(text);
                    if (ring.length() > RING) {
                        ring.delete(0, ring.length() - RING);
                    }
                    HubLink h = hub;
                    if (h != null) {
                        try {
                            h.notify(
                                    "terminals/forward-output",
                                    Json.mapper()
                                            .createObjectNode()
                                            .put("id", id)
                                            .put("data", text));
                        } catch (IOException e) {
                            h.close(); // the connector registers again, with the ring
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the command has ended
        }
    }

    /** Tells the hub the exit code, waiting a while for one that is connecting. */
    private void tellExit(int code, Thread connector) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hub == null && connector.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        HubLink h = hub;
        if (h != null) {
            try {
                h.request(
                                "terminals/forward-exit",
                                Json.mapper().createObjectNode().put("id", id).put("exitCode", code))
                        .get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the hub went away: the next one finds the process gone
            }
            h.close();
        }
    }
}
