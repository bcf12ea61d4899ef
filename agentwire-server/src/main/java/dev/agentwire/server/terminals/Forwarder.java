package dev.agentwire.server.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.terminals.CastFile;
import dev.agentwire.core.terminals.Pty;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.core.terminals.Utf8Chunks;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The process that owns a spawned terminal's PTY, its recording ({@code output.cast}) and its {@code ipc.sock}, so
 * that the terminal outlives the hub ({@link ProcessForwarders} starts it): it runs the command, registers the
 * terminal with the hub ({@code terminals/register}, under the id it is given, {@code detached}) and forwards its
 * output; it types, resizes and signals as the hub says, and as its {@code ipc.sock} viewers say ({@link
 * IpcViewer}). When the hub goes away it keeps the command running, recording and serving its viewers, keeps the
 * last {@link #RING} characters of its output, connects again until a hub answers, and registers again with them,
 * so the new hub rebuilds the screen. It exits with the command's code once the hub has heard it. Kept small: the
 * JDK's Unix sockets, Jackson and pty4j, nothing else (docs/BENCHMARKS.md, "Terminal forwarders").
 *
 * <p>{@code Forwarder --id ID --cols C --rows R --cwd DIR --connect unix:/path --dir SESSION_DIR [--name N] --
 * COMMAND...}; the command's environment is the forwarder's.
 */
public final class Forwarder implements IpcViewer.Terminal {

    /** Output kept for a registration after a hub restart. */
    static final int RING = 1 << 20;

    private final String id;
    private final List<String> command;
    private final String cwd;
    private final int initialCols;
    private final int initialRows;
    private final String name;
    private final Path socket;
    /** The terminal's directory: {@code output.cast} and {@code ipc.sock} are made there. */
    private final Path dir;

    private final long startedAt = System.currentTimeMillis();
    /**
     * The output kept, and the lock under which output is kept, recorded and sent, and the size changed (so a
     * registration or a new viewer loses none, and the recording has every resize where it happened).
     */
    private final StringBuilder ring = new StringBuilder();
    /** The {@code ipc.sock} viewers attached (changed under the ring's lock). */
    private final Set<IpcViewer> viewers = ConcurrentHashMap.newKeySet();

    private volatile int cols;
    private volatile int rows;
    /** The title a viewer set, or null. */
    private volatile String title;

    private volatile Pty pty;
    private CastFile cast; // guarded by ring
    private Integer exitCode; // guarded by ring
    private volatile HubLink hub;
    private volatile boolean done;

    private Forwarder(
            String id, List<String> command, String cwd, int cols, int rows, String name, Path socket, Path dir) {
        this.id = id;
        this.command = command;
        this.cwd = cwd;
        this.initialCols = cols;
        this.initialRows = rows;
        this.cols = cols;
        this.rows = rows;
        this.name = name;
        this.socket = socket;
        this.dir = dir;
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
        String dir = null;
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
                case "--dir" -> dir = v;
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
        if (dir == null || !Path.of(dir).isAbsolute()) {
            throw new IllegalArgumentException("--dir must be the terminal's directory, an absolute path");
        }
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException("the command goes after --");
        }
        List<String> command = List.of(args).subList(i + 1, args.length);
        return new Forwarder(
                id, command, cwd, cols, rows, name, Path.of(connect.substring("unix:".length())), Path.of(dir));
    }

    private String displayName() {
        return name != null ? name : Path.of(command.get(0)).getFileName().toString();
    }

    private int run() throws Exception {
        synchronized (ring) {
            cast = CastFile.create(id, dir.resolve("output.cast"), cols, rows, startedAt, command, displayName());
        }
        Pty pty = new Pty4jLauncher()
                .launch(command, cwd, ProcessForwarders.childEnvironment(System.getenv()), cols, rows);
        this.pty = pty;
        ForwarderIpc ipc = null;
        try {
            ipc = ForwarderIpc.bind(dir.resolve("ipc.sock"), this);
            ipc.start();
        } catch (IOException e) {
            System.err.println("forwarder: terminal " + id + " has no ipc.sock: " + e);
        }
        Thread connector = new Thread(() -> connect(pty), "aw-forwarder-connect");
        connector.setDaemon(true);
        connector.start();
        copyOutput(pty);
        int code = pty.waitFor();
        done = true;
        synchronized (ring) {
            exitCode = code;
            cast.close();
            viewers.forEach(v -> v.exited(code));
            viewers.clear();
        }
        if (ipc != null) {
            ipc.close();
        }
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
                String t = title;
                if (t != null) {
                    link.request(
                            "terminals/title",
                            Json.mapper().createObjectNode().put("id", id).put("title", t));
                }
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
        p.put("detached", true); // this forwarder records output.cast and serves ipc.sock
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
                resizeHere(p.path("cols").asInt(cols), p.path("rows").asInt(rows));
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
                    cast.output(text);
                    if (!viewers.isEmpty()) {
                        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                        viewers.forEach(v -> v.send(FrameType.STDOUT_DATA, utf8));
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

    /** Resizes the PTY and records it, unless it has that size already; whether it changed. */
    private boolean resizeHere(int c, int r) {
        synchronized (ring) {
            if (c == cols && r == rows) {
                return false;
            }
            pty.resize(c, r);
            cast.resize(c, r);
            cols = c;
            rows = r;
            return true;
        }
    }

    /** What SessionInfo and a StatusUpdate say: the fields of the hub's {@code terminals/list}. */
    private ObjectNode status() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", id);
        o.put("name", displayName());
        var cmd = o.putArray("command");
        command.forEach(cmd::add);
        o.put("cwd", cwd);
        o.put("pid", pty.pid());
        synchronized (ring) {
            o.put("status", exitCode == null ? "running" : "exited");
            if (exitCode == null) {
                o.putNull("exitCode");
            } else {
                o.put("exitCode", exitCode);
            }
        }
        o.put("cols", cols);
        o.put("rows", rows);
        o.put("startedAt", startedAt);
        o.put("title", title != null ? title : displayName());
        return o;
    }

    /** Tells the hub, if one is connected, what a viewer changed ({@code terminals/resize}, {@code terminals/title}). */
    private void tellHub(String method, ObjectNode params) {
        HubLink h = hub;
        if (h != null) {
            h.request(method, params.put("id", id));
        }
    }

    @Override
    public void attach(IpcViewer viewer) {
        ObjectNode info = status();
        synchronized (ring) {
            viewer.send(FrameType.SESSION_INFO, info);
            if (ring.length() > 0) {
                viewer.send(FrameType.STDOUT_DATA, ring.toString().getBytes(StandardCharsets.UTF_8));
            }
            if (exitCode != null) {
                viewer.exited(exitCode);
            } else {
                viewers.add(viewer);
            }
        }
    }

    @Override
    public void detach(IpcViewer viewer) {
        viewers.remove(viewer);
    }

    @Override
    public void type(byte[] bytes) {
        pty.type(bytes);
    }

    @Override
    public ObjectNode resize(int c, int r) {
        TerminalService.checkSize(c, r);
        if (resizeHere(c, r)) {
            tellHub(
                    "terminals/resize",
                    Json.mapper().createObjectNode().put("cols", c).put("rows", r));
        }
        return status();
    }

    @Override
    public ObjectNode resetSize() {
        return resize(initialCols, initialRows);
    }

    @Override
    public ObjectNode kill(int signal) {
        if (signal < 1 || signal > 64) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "signal must be 1-64, got " + signal);
        }
        pty.signal(signal);
        return Json.mapper().createObjectNode().put("id", id).put("signal", signal);
    }

    @Override
    public ObjectNode title(String t) {
        title = t;
        tellHub("terminals/title", Json.mapper().createObjectNode().put("title", t));
        return status();
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
