package dev.agentwire.server.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.terminals.CastFile;
import dev.agentwire.core.terminals.Pty;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.core.terminals.Utf8Chunks;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameEncoding;
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
    /** Where output for the connected hub goes (set and cleared under the ring's lock), or null. */
    private HubOutput hubOut;
    /** What the {@code ipc.sock} viewers may hold queued, all together: a share of this small JVM's heap. */
    private final IpcViewer.Budget budget =
            new IpcViewer.Budget(Runtime.getRuntime().maxMemory() / 4);

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
        List<IpcViewer> told;
        synchronized (ring) {
            exitCode = code;
            cast.close();
            told = List.copyOf(viewers);
            viewers.clear();
        }
        told.forEach(v -> v.exited(code));
        if (ipc != null) {
            ipc.close();
        }
        tellExit(code, connector);
        // The viewers' last output and StatusUpdate are written before the process ends (their threads are daemons).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (IpcViewer v : told) {
            v.awaitWritten(deadline - System.nanoTime());
        }
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
            HubOutput out = new HubOutput(link, id);
            try {
                ObjectNode registration;
                synchronized (ring) {
                    registration = registration(pty);
                    hubOut = out; // from here on output goes to this hub, after the ring it registers with
                }
                hub = link;
                // Written outside the lock (the hub may be slow to read); the output waits in `out` until then.
                CompletableFuture<JsonNode> registered = link.request("terminals/register", registration);
                out.start();
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
                synchronized (ring) {
                    if (hubOut == out) {
                        hubOut = null;
                    }
                }
                out.stop();
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
                HubOutput out;
                synchronized (ring) {
                    ring.append(text);
                    if (ring.length() > RING) {
                        ring.delete(0, ring.length() - RING);
                    }
                    cast.output(text);
                    toViewers(text);
                    out = hubOut;
                    if (out != null) {
                        out.output(text); // queued: nothing is written to a socket under this lock
                    }
                }
                if (out != null) {
                    out.awaitRoom(); // flow control: the program waits for a hub that reads, not for ever
                }
            }
        } catch (IOException e) {
            // the command has ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Output to every viewer, encoded once; a viewer that would take more memory than there is goes. */
    private void toViewers(String text) {
        if (viewers.isEmpty()) {
            return;
        }
        try {
            byte[] frame = FrameEncoding.typed(FrameType.STDOUT_DATA.code(), text.getBytes(StandardCharsets.UTF_8));
            for (IpcViewer v : viewers) {
                v.sendEncoded(frame);
            }
        } catch (OutOfMemoryError e) {
            // The terminal goes on; its viewers may connect again and get the output kept.
            System.err.println("forwarder: out of memory for ipc.sock viewers; closing them");
            List.copyOf(viewers).forEach(IpcViewer::close);
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
    public IpcViewer.Budget budget() {
        return budget;
    }

    @Override
    public void attach(IpcViewer viewer) {
        ObjectNode info = status();
        synchronized (ring) {
            if (viewer.isClosed()) {
                return; // it went before it was attached
            }
            viewer.send(FrameType.SESSION_INFO, info.toString().getBytes(StandardCharsets.UTF_8));
            // The output kept, in frames of at most ATTACH_CHUNK characters: no copy of the whole ring at once.
            for (int from = 0; from < ring.length() && !viewer.isClosed(); from += ATTACH_CHUNK) {
                String part = ring.substring(from, Math.min(ring.length(), from + ATTACH_CHUNK));
                viewer.send(FrameType.STDOUT_DATA, part.getBytes(StandardCharsets.UTF_8));
            }
            if (exitCode != null) {
                viewer.exited(exitCode);
            } else if (!viewer.isClosed()) {
                viewers.add(viewer);
            }
        }
    }

    /** The size of the frames a new viewer is sent the output kept in. */
    private static final int ATTACH_CHUNK = 64 * 1024;

    @Override
    public void detach(IpcViewer viewer) {
        synchronized (ring) {
            viewers.remove(viewer);
        }
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

    /** Tells the hub the exit code after the output before it, waiting a while for one that is connecting. */
    private void tellExit(int code, Thread connector) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HubOutput out;
        while (true) {
            synchronized (ring) {
                out = hubOut;
            }
            if (out != null || !connector.isAlive() || System.nanoTime() >= deadline) {
                break;
            }
            Thread.sleep(50);
        }
        if (out != null) {
            try {
                out.exit(code).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the hub went away: the next one finds the process gone
            }
        }
        HubLink h = hub;
        if (h != null) {
            h.close();
        }
    }
}
