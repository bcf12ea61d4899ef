package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The terminal sessions of a hub: spawn, drive, read, watch, and their lifecycle.
 *
 * <p>{@code terminals/wait} patterns come from clients: they are compiled with RE2/J ({@link WaitPattern}) and
 * matched on this service's match threads ({@code aw-term-match-N}, started on first use, stopped by
 * {@link #close}), never on an I/O thread, the caller's worker or a terminal's reader; each wait's timer is set
 * before its first match, and each match stops at the wait's deadline or {@code terminals.matchBudgetMs}. Thread
 * safe.
 */
public final class TerminalService {

    private static final Logger log = LoggerFactory.getLogger(TerminalService.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The largest window a session may have. */
    static final int MAX_COLS = 1000;

    static final int MAX_ROWS = 1000;

    private final Path controlDir;
    private final PtyLauncher launcher;
    private final Optional<TerminalForwarders> forwarders;
    /** Terminals whose forwarder was started and has not registered yet, with what their spawn waits for. */
    private final Map<String, CompletableFuture<ObjectNode>> starting = new ConcurrentHashMap<>();

    /** How long a spawned terminal's forwarder has to register. */
    static final long FORWARDER_REGISTERS_WITHIN_SECONDS = 30;

    private final EventBus events;
    private final ScheduledExecutorService timers;
    private final Settings settings;
    private final Map<String, TerminalSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, AutoCloseable> ipc = new ConcurrentHashMap<>();
    private volatile IpcSockets ipcSockets = IpcSockets.none();
    /** Where client patterns are matched: never an I/O thread, a caller's worker or a terminal's reader. */
    private final ThreadPoolExecutor matcher;
    /** Writes typed input to the terminals ({@link PtyInput}), so that no worker waits on a program's input. */
    private final ThreadPoolExecutor inputPool;
    /** The terminals/wait calls in progress, by caller. */
    private final WaitCalls waitCalls;
    /** The ends of Claude Code's turns in the terminals that run it. */
    private final TurnWatch turns;

    /**
     * The {@code terminals} section.
     *
     * @param scrollbackChars what a new viewer gets replayed
     * @param cleanupDelaySeconds how long an exited session's directory stays
     * @param maxSessions sessions at once
     * @param maxWaitsPerTerminal {@code terminals/wait} calls waiting on one terminal at once
     * @param matchBudgetMs the longest one match of a wait's pattern may take
     */
    @Setting.Section("terminals")
    public record Settings(
            @Setting(
                    value = "1048576",
                    kind = Kind.INTEGER,
                    min = 1024,
                    max = 1L << 28,
                    doc = "characters of output a terminal keeps for viewers that attach later")
            int scrollbackChars,

            @Setting(
                    value = "60",
                    kind = Kind.INTEGER,
                    min = 0,
                    max = 86_400 * 30L,
                    doc = "how long an exited terminal's directory (control/ID) stays")
            long cleanupDelaySeconds,

            @Setting(value = "64", kind = Kind.INTEGER, min = 1, max = 10_000, doc = "terminals that may run at once")
            int maxSessions,

            @Setting(
                    value = "16",
                    kind = Kind.INTEGER,
                    min = 1,
                    max = 10_000,
                    doc = "terminals/wait calls that may wait on one terminal at once; more get -32008"
                            + " too_many_waits")
            int maxWaitsPerTerminal,

            @Setting(
                    value = "1000",
                    kind = Kind.INTEGER,
                    min = 1,
                    max = 600_000,
                    doc = "the longest one match of a terminals/wait pattern may take (over the screen or"
                            + " the output window)")
            long matchBudgetMs) {

        /** The settings with the default wait limits (16 per terminal, 1000 ms a match). */
        public Settings(int scrollbackChars, long cleanupDelaySeconds, int maxSessions) {
            this(scrollbackChars, cleanupDelaySeconds, maxSessions, 16, 1000);
        }

        public static Settings defaults() {
            return new Settings(1 << 20, 60, 64, 16, 1000);
        }
    }

    public TerminalService(
            Path controlDir,
            PtyLauncher launcher,
            EventBus events,
            ScheduledExecutorService timers,
            Settings settings) {
        this(controlDir, launcher, Optional.empty(), events, timers, settings);
    }

    /**
     * @param forwarders when present, {@code terminals/spawn} runs each terminal under a detached forwarder of its
     *     own, which the terminal outlives the hub with; when empty, on a PTY of the hub's ({@code launcher})
     */
    public TerminalService(
            Path controlDir,
            PtyLauncher launcher,
            Optional<TerminalForwarders> forwarders,
            EventBus events,
            ScheduledExecutorService timers,
            Settings settings) {
        this.forwarders = forwarders;
        this.controlDir = controlDir;
        this.launcher = launcher;
        this.events = events;
        this.timers = timers;
        this.settings = settings;
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        AtomicInteger n = new AtomicInteger();
        // Threads start on the first wait, not here.
        this.matcher =
                new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "aw-term-match-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.matcher.allowCoreThreadTimeOut(true);
        AtomicInteger w = new AtomicInteger();
        // One thread per terminal that has input waiting, at most; idle ones end after 30 s.
        this.inputPool = new ThreadPoolExecutor(
                0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "aw-term-input-" + w.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.waitCalls = new WaitCalls(timers, System::nanoTime);
        this.turns = new TurnWatch(timers, System::nanoTime, this::turnEnded);
    }

    private TerminalWaits.Settings waitSettings() {
        return new TerminalWaits.Settings(
                settings.maxWaitsPerTerminal(),
                TimeUnit.MILLISECONDS.toNanos(settings.matchBudgetMs()),
                matcher,
                System::nanoTime);
    }

    /**
     * Tidies {@code control/} after a hub that did not stop cleanly: kills what is left of the terminals it spawned,
     * marks sessions whose process is gone exited, leaves forwarded ones ({@code aw run}) alone; see
     * {@link SessionRecovery}. Call once at start, before the transports.
     *
     * @return how many sessions were marked exited
     */
    public int recover() {
        return new SessionRecovery(controlDir, timers, settings.cleanupDelaySeconds()).run(sessions.keySet());
    }

    /** Binds every new session's {@code control/ID/ipc.sock} with {@code sockets}. Call before the first spawn. */
    public void ipcSockets(IpcSockets sockets) {
        this.ipcSockets = sockets;
    }

    /** Forwarded sessions' PTYs by session id. */
    private final Map<String, RemotePty> remotes = new ConcurrentHashMap<>();

    /**
     * Forwarded terminals not known to have ended (no {@code terminals/forward-exit} yet): when their forwarder's
     * connection drops they are shown exited (-1), but their directory stays while their process runs, for the
     * forwarder that registers again (a detached one owns {@code output.cast} and {@code ipc.sock} there), and the
     * hub's stop leaves them alone.
     */
    private final java.util.Set<String> forwardedAlive = ConcurrentHashMap.newKeySet();

    /**
     * {@code terminals/register}: a forwarder ({@code aw run}) that owns a PTY in the user's terminal makes it a
     * session of this hub, under the id it chose (again after a hub restart). {@code scrollback} is what it
     * printed so far.
     */
    public ObjectNode register(Connection forwarder, String id, Spawn s, long pid, String scrollback) {
        return register(forwarder, id, s, pid, scrollback, null, false);
    }

    /**
     * The same, with the secret a spawned terminal's forwarder was given: a terminal the hub spawned (its directory
     * holds {@code forwarder.secret}) is registered only with it, by this hub or the next one. A {@code detached}
     * forwarder owns the terminal's {@code output.cast} and {@code ipc.sock} too, so that recording and viewers go
     * on across hub restarts: the hub then writes no recording and binds no {@code ipc.sock} for it.
     */
    public ObjectNode register(
            Connection forwarder, String id, Spawn s, long pid, String scrollback, String secret, boolean detached) {
        if (id == null || !ID.matcher(id).matches()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_terminal_id",
                    "a terminal id is 32 lower-case hex digits, not " + id);
        }
        // Only a terminal the hub spawned has a forwarder that owns its recording and ipc.sock.
        detached &= checkForwarderSecret(id, secret);
        checkSize(s.cols(), s.rows());
        TerminalSession old = sessions.get(id);
        if (old != null && old.isRunning()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "terminal_exists", "terminal " + id + " is running already");
        }
        if (old != null) {
            sessions.remove(id, old);
        }
        String cwd = s.cwd() == null || s.cwd().isEmpty() ? System.getProperty("user.home") : s.cwd();
        RemotePty[] made = new RemotePty[1];
        PtyLauncher remote = (command, dir, env, cols, rows) -> {
            made[0] = new RemotePty(id, forwarder, pid);
            return made[0];
        };
        TerminalSession session;
        try {
            session = new TerminalSession(
                    id,
                    s.name().orElse(Path.of(s.command().get(0)).getFileName().toString()),
                    s.command(),
                    cwd,
                    s.cols(),
                    s.rows(),
                    controlDir.resolve(id),
                    settings.scrollbackChars(),
                    new Listener(),
                    waitSettings(),
                    inputPool,
                    detached);
            session.start(remote, Map.of());
        } catch (IOException e) {
            throw HubException.of(ErrorCode.INTERNAL_ERROR, "register_failed", "cannot register " + id + ": " + e);
        }
        remotes.put(id, made[0]);
        sessions.put(id, session);
        forwardedAlive.add(id);
        if (!detached) {
            bindIpc(session);
        }
        if (scrollback != null && !scrollback.isEmpty()) {
            made[0].output(scrollback);
        }
        notification("session-start", session);
        ObjectNode described = session.describe();
        CompletableFuture<ObjectNode> spawned = starting.remove(id);
        if (spawned != null) {
            spawned.complete(described);
        }
        return described;
    }

    /** The name of the file in a spawned terminal's directory that holds its forwarder's secret. */
    static final String SECRET_FILE = "forwarder.secret";

    /** The environment variable that gives a spawned terminal's forwarder its secret. */
    public static final String SECRET_ENV = "AGENTWIRE_FORWARDER_SECRET";

    /** Whether terminal {@code id} is one the hub spawned (then {@code secret} is its forwarder's, or this throws). */
    private boolean checkForwarderSecret(String id, String secret) {
        Path file = controlDir.resolve(id).resolve(SECRET_FILE);
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false; // aw run's terminal: its forwarder chose the id
        }
        byte[] expected;
        try (InputStream in = SessionFiles.read(file)) {
            expected = in.readAllBytes();
        } catch (IOException e) {
            expected = new byte[0];
        }
        if (secret == null
                || expected.length == 0
                || !java.security.MessageDigest.isEqual(expected, secret.getBytes(StandardCharsets.UTF_8))) {
            throw HubException.of(
                    ErrorCode.FORBIDDEN,
                    "not_the_forwarder",
                    "terminal " + id + " was spawned by the hub: only its own forwarder registers it");
        }
        return true;
    }

    /** {@code terminals/forward-output}: what a forwarded session printed, from its own forwarder only. */
    public void forwardOutput(Connection forwarder, String id, String text) {
        RemotePty pty = remotes.get(id);
        if (pty != null && pty.forwarder() == forwarder) {
            pty.output(text);
        }
    }

    /** {@code terminals/forward-exit}: a forwarded session's process ended, as its own forwarder says. */
    public void forwardExit(Connection forwarder, String id, int exitCode) {
        RemotePty pty = remotes.get(id);
        if (pty != null && pty.forwarder() == forwarder && remotes.remove(id, pty)) {
            forwardedAlive.remove(id);
            pty.exited(exitCode);
        }
    }

    /** A forwarder went away: its sessions end (exit code -1: unknown). */
    private void forwarderGone(Connection c) {
        for (var e : remotes.entrySet()) {
            TerminalSession s = sessions.get(e.getKey());
            if (s != null && e.getValue() != null && forwarderOf(e.getValue()) == c) {
                remotes.remove(e.getKey());
                e.getValue().exited(-1);
            }
        }
    }

    private static Connection forwarderOf(RemotePty pty) {
        return pty.forwarder();
    }

    /** What {@code terminals/spawn} asks for. */
    public record Spawn(
            List<String> command, String cwd, Map<String, String> env, int cols, int rows, Optional<String> name) {}

    /**
     * {@code terminals/spawn}: completes with the new terminal, at once on a PTY of the hub's, or once its
     * detached forwarder has registered it.
     */
    public CompletableFuture<ObjectNode> spawn(Spawn s) {
        if (s.command().isEmpty() || s.command().get(0).isBlank()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "terminals/spawn needs a \"command\"");
        }
        checkSize(s.cols(), s.rows());
        if (sessions.values().stream().filter(TerminalSession::isRunning).count() + starting.size()
                >= settings.maxSessions()) {
            var data = HubException.reasonData("too_many_terminals");
            data.put("limit", settings.maxSessions());
            throw HubException.withData(
                    ErrorCode.OVERLOADED,
                    "at most " + settings.maxSessions() + " terminals run at once (terminals.maxSessions)",
                    data);
        }
        String cwd = s.cwd() == null || s.cwd().isEmpty() ? System.getProperty("user.home") : s.cwd();
        if (!Files.isDirectory(Path.of(cwd))) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "cwd " + cwd + " is not a directory");
        }
        Map<String, String> env0 = new java.util.HashMap<>(System.getenv());
        env0.putAll(s.env());
        String program = s.command().get(0);
        if (findProgram(program, env0.getOrDefault("PATH", ""), cwd).isEmpty()) {
            var data = HubException.reasonData("no_such_program");
            data.put("program", program);
            throw HubException.withData(
                    ErrorCode.INVALID_PARAMS,
                    "cannot start " + program + ": no such executable"
                            + (program.contains("/") ? "" : " on PATH (" + env0.getOrDefault("PATH", "") + ")"),
                    data);
        }
        byte[] raw = new byte[16];
        RANDOM.nextBytes(raw);
        String id = HexFormat.of().formatHex(raw);
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putAll(s.env());
        env.put("AGENTWIRE_TERMINAL_ID", id);
        env.putIfAbsent("TERM", "xterm-256color");
        if (forwarders.isPresent()) {
            return detached(id, s, cwd, env);
        }
        TerminalSession session;
        try {
            session = new TerminalSession(
                    id,
                    s.name().orElse(Path.of(s.command().get(0)).getFileName().toString()),
                    s.command(),
                    cwd,
                    s.cols(),
                    s.rows(),
                    controlDir.resolve(id),
                    settings.scrollbackChars(),
                    new Listener(),
                    waitSettings(),
                    inputPool,
                    false);
            session.start(launcher, env);
        } catch (IOException e) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "spawn_failed",
                    "cannot start " + s.command().get(0) + ": " + e.getMessage());
        }
        sessions.put(id, session);
        bindIpc(session);
        notification("session-start", session);
        return CompletableFuture.completedFuture(session.describe());
    }

    private void bindIpc(TerminalSession session) {
        try {
            ipc.put(session.id, ipcSockets.bind(session.id, session.dir().resolve("ipc.sock")));
        } catch (IOException e) {
            log.warn("terminal {}: no ipc.sock: {}", session.id, e.toString());
        }
    }

    /** Starts terminal {@code id}'s forwarder; the spawn completes when it registers, or fails after a while. */
    private CompletableFuture<ObjectNode> detached(String id, Spawn s, String cwd, Map<String, String> env) {
        CompletableFuture<ObjectNode> registered = new CompletableFuture<>();
        starting.put(id, registered);
        TerminalForwarders.Started started;
        try {
            Path dir = controlDir.resolve(id);
            SessionFiles.privateDirectory(controlDir);
            SessionFiles.privateDirectory(dir);
            byte[] raw = new byte[32];
            RANDOM.nextBytes(raw);
            String secret = HexFormat.of().formatHex(raw);
            SessionFiles.writeAtomically(dir.resolve(SECRET_FILE), secret.getBytes(StandardCharsets.UTF_8));
            Map<String, String> forwarderEnv = new java.util.HashMap<>(env);
            forwarderEnv.put(SECRET_ENV, secret);
            started = forwarders.get().start(id, s.command(), cwd, forwarderEnv, s.cols(), s.rows(), s.name(), dir);
        } catch (IOException | RuntimeException e) {
            starting.remove(id);
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "spawn_failed",
                    "cannot start the forwarder of " + s.command().get(0) + ": " + e.getMessage());
        }
        started.onExit(() -> {
            if (starting.remove(id, registered)) {
                registered.completeExceptionally(HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "spawn_failed",
                        "the forwarder of " + s.command().get(0) + " ended before it registered the terminal"
                                + lastWords(controlDir.resolve(id).resolve("forwarder.log")) + " (its log: control/"
                                + id + "/forwarder.log)"));
            }
        });
        timers.schedule(
                () -> {
                    if (starting.remove(id, registered)) {
                        started.abandon();
                        registered.completeExceptionally(HubException.of(
                                ErrorCode.TIMEOUT,
                                "spawn_failed",
                                "the forwarder of terminal " + id + " did not register within "
                                        + FORWARDER_REGISTERS_WITHIN_SECONDS + " s (its log: control/" + id
                                        + "/forwarder.log)"));
                    }
                },
                FORWARDER_REGISTERS_WITHIN_SECONDS,
                TimeUnit.SECONDS);
        return registered;
    }

    /** The last line of a forwarder's log (at most 300 characters of it), as {@code ": LINE"}; "" if none. */
    private static String lastWords(Path log) {
        try (var f = Files.newByteChannel(log)) {
            long size = f.size();
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate((int) Math.min(size, 4096));
            f.position(size - tail.capacity());
            while (tail.hasRemaining() && f.read(tail) > 0) {
                // reads the tail
            }
            String text = new String(tail.array(), 0, tail.position(), java.nio.charset.StandardCharsets.UTF_8).strip();
            String last = text.substring(text.lastIndexOf('\n') + 1).strip();
            return last.isEmpty() ? "" : ": " + (last.length() > 300 ? last.substring(0, 300) + "…" : last);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private final class Listener implements TerminalSession.Listener {
        @Override
        public void output(TerminalSession s, String text) {
            turns.output(s, text);
        }

        @Override
        public void bell(TerminalSession s) {
            notification("bell", s);
        }

        @Override
        public void title(TerminalSession s) {
            notification("title-change", s);
        }

        @Override
        public void commandEnded(TerminalSession s, int exitCode, long durationMs) {
            ObjectNode data = base(exitCode == 0 ? "command-completion" : "command-error", s);
            data.put("exitCode", exitCode);
            data.put("durationMs", durationMs);
            data.put(
                    "message",
                    exitCode == 0
                            ? "command finished in " + s.name
                            : "command failed with code " + exitCode + " in " + s.name);
            ((ObjectNode) data.get("metadata")).put("exitCode", exitCode).put("durationMs", durationMs);
            events.publish("session-monitor", "notification", data);
        }

        @Override
        public void exited(TerminalSession s) {
            AutoCloseable socket = ipc.remove(s.id);
            if (socket != null) {
                try {
                    socket.close(); // closes and removes ipc.sock
                } catch (Exception e) {
                    log.debug("terminal {}: closing ipc.sock: {}", s.id, e.toString());
                }
            }
            notification("session-exit", s);
            try {
                timers.schedule(() -> cleanUp(s), settings.cleanupDelaySeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the hub is stopping: the next start tidies control/
            }
        }
    }

    /** A {@code claude-turn} notification: Claude Code's turn ended in {@code s}, as {@code source} saw. */
    private void turnEnded(TerminalSession s, String source, Optional<String> hook, Optional<String> message) {
        ObjectNode data = base("claude-turn", s);
        data.put("source", source);
        hook.ifPresent(h -> data.put("hook", h));
        data.put(
                "message",
                message.filter(m -> !m.isBlank())
                        .orElse("Claude's turn ended in " + s.name + " (seen by " + source + ")"));
        ObjectNode metadata = (ObjectNode) data.get("metadata");
        metadata.put("source", source);
        hook.ifPresent(h -> metadata.put("hook", h));
        events.publish("session-monitor", "notification", data);
    }

    /**
     * {@code terminals/notify}: Claude Code's hook {@code event} ({@code Stop}, {@code SubagentStop},
     * {@code Notification}) ran in terminal {@code id} ({@code aw notify}); publishes {@code claude-turn}.
     */
    public ObjectNode hookNotified(String id, String event, Optional<String> message) {
        turns.hook(find(id), event, message);
        return Json.mapper()
                .createObjectNode()
                .put("id", id)
                .put("event", event)
                .put("source", "hook");
    }

    private void notification(String type, TerminalSession s) {
        ObjectNode data = base(type, s);
        if (s.exitCode() != null) {
            data.put("exitCode", s.exitCode());
            ((ObjectNode) data.get("metadata")).put("exitCode", s.exitCode());
        }
        data.put(
                "message",
                switch (type) {
                    case "session-start" -> s.name + " started";
                    case "session-exit" ->
                        s.name + " exited" + (s.exitCode() == null ? "" : " with code " + s.exitCode());
                    case "bell" -> "bell in " + s.name;
                    case "title-change" -> s.name + ": " + s.title();
                    default -> type;
                });
        events.publish("session-monitor", "notification", data);
        // The seed's session lifecycle events, beside the notifications.
        String action = switch (type) {
            case "session-start" -> "created";
            case "session-exit" -> "closed";
            case "title-change" -> "updated";
            default -> null;
        };
        if (action != null) {
            events.publish("session", action, s.describe());
        }
    }

    private static ObjectNode base(String type, TerminalSession s) {
        ObjectNode data = Json.mapper().createObjectNode();
        data.put("type", type);
        data.put("sessionId", s.id);
        data.put("sessionName", s.name);
        data.put("title", s.title());
        data.putObject("metadata");
        return data;
    }

    /**
     * An exited session's directory goes after the cleanup delay, unless it is a forwarded one whose forwarder went
     * away while its process runs (the forwarder registers again): that is looked at again after another delay.
     */
    private void cleanUp(TerminalSession s) {
        if (sessions.get(s.id) != s) {
            return; // registered again: a new session now
        }
        if (forwardedAlive.contains(s.id) && s.processAlive()) {
            try {
                timers.schedule(() -> cleanUp(s), settings.cleanupDelaySeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the hub is stopping
            }
            return;
        }
        forwardedAlive.remove(s.id);
        remove(s);
    }

    /** Forgets an exited session and removes its directory. */
    private void remove(TerminalSession s) {
        sessions.remove(s.id, s);
        turns.forget(s.id);
        SessionFiles.removeTree(s.dir());
    }

    /** Where {@code program} is: itself if it has a slash, else the first executable of that name on PATH. */
    static Optional<Path> findProgram(String program, String path, String cwd) {
        if (program.contains("/")) {
            Path p = Path.of(cwd).resolve(program);
            return Files.isExecutable(p) && !Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, program);
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    public static void checkSize(int cols, int rows) {
        if (cols < 1 || cols > MAX_COLS || rows < 1 || rows > MAX_ROWS) {
            var data = HubException.reasonData("invalid_size");
            data.put("maxCols", MAX_COLS);
            data.put("maxRows", MAX_ROWS);
            throw HubException.withData(
                    ErrorCode.INVALID_PARAMS,
                    "a terminal is 1-" + MAX_COLS + " columns by 1-" + MAX_ROWS + " rows, not " + cols + "x" + rows,
                    data);
        }
    }

    /** The session {@code id} names, or {@code -32602} for an id that cannot be one, {@code -32007} if none. */
    TerminalSession find(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_terminal_id",
                    "a terminal id is 32 lower-case hex digits, not " + (id == null ? "nothing" : id));
        }
        TerminalSession s = sessions.get(id);
        if (s == null) {
            var data = HubException.reasonData("terminal_not_found");
            data.put("id", id);
            throw HubException.withData(ErrorCode.NOT_FOUND, "no terminal " + id, data);
        }
        return s;
    }

    /** Whether terminal {@code id} is this hub's. */
    public boolean has(String id) {
        return id != null && sessions.containsKey(id);
    }

    public ObjectNode list() {
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode arr = out.putArray("terminals");
        sessions.values().stream()
                .sorted(Comparator.comparingLong(s -> s.startedAt))
                .forEach(s -> arr.add(s.describe().put("viewers", s.viewerCount())));
        return out;
    }

    public ObjectNode input(String id, String text) {
        find(id).write(text);
        return Json.mapper().createObjectNode().put("id", id).put("sent", text.length());
    }

    public ObjectNode key(String id, String key) {
        String bytes = Keys.bytes(key);
        find(id).write(bytes);
        return Json.mapper().createObjectNode().put("id", id).put("key", key);
    }

    public ObjectNode resize(String id, int cols, int rows) {
        checkSize(cols, rows);
        TerminalSession s = find(id);
        s.resize(cols, rows);
        ObjectNode described = s.describe();
        // Viewers draw the session at its size (the /terminals page follows a resize made elsewhere).
        events.publish("session", "updated", described.deepCopy());
        return described;
    }

    /** {@code reset-size} (ipc.sock): back to the size the terminal started with. */
    public ObjectNode resetSize(String id) {
        TerminalSession s = find(id);
        return resize(id, s.initialCols, s.initialRows);
    }

    public ObjectNode title(String id, String title) {
        TerminalSession s = find(id);
        s.title(title);
        return s.describe();
    }

    public ObjectNode kill(String id, int signal) {
        if (signal < 1 || signal > 64) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "signal must be 1-64, got " + signal);
        }
        find(id).signal(signal);
        return Json.mapper().createObjectNode().put("id", id).put("signal", signal);
    }

    public ObjectNode read(String id) throws InterruptedException {
        return find(id).screen();
    }

    /**
     * {@code terminals/wait}: the first match of {@code regex} on the screen (now or later) or in output written
     * from now on. Returns at once; the answer comes from the match threads, the timer, a cancellation or the
     * terminal's exit.
     *
     * @param caller who waits: {@link #cancelled} and {@link #connectionClosed} end its waits
     * @param requestId the call's id, which {@code notifications/cancelled} names
     */
    public CompletableFuture<JsonNode> waitFor(
            String id, String regex, long timeoutMs, Connection caller, Optional<Id> requestId) {
        return waitCalls.start(find(id), regex, timeoutMs, caller, requestId);
    }

    /**
     * {@code notifications/cancelled {requestId, reason?}} from {@code caller}: ends its {@code terminals/wait} of
     * that id at once with {@code -32009}.
     *
     * @return whether the id named one of its waits
     */
    public boolean cancelled(Connection caller, JsonNode params) {
        return waitCalls.cancelled(caller, params);
    }

    /** {@code terminals/attach}: the scrollback so far; then {@code terminals/output} notifications. */
    public ObjectNode attach(String id, Connection viewer) {
        return attach(id, viewer, Optional.empty());
    }

    /**
     * {@code terminals/attach}: the scrollback so far; then the output as StdoutData frames (if {@code frames},
     * by default on typed-framing connections) or {@code terminals/output} notifications.
     */
    public ObjectNode attach(String id, Connection viewer, Optional<Boolean> frames) {
        return attach(id, viewer, frames, false);
    }

    /**
     * {@code terminals/attach}, flow-controlled if {@code flowControl}: the viewer acknowledges what it drew with
     * {@link #ack}; past {@code highWater} unacknowledged characters it is sent nothing, and when it is back under
     * {@code lowWater} it is sent the screen anew (a reset and the scrollback, {@code anew} true). The answer gives
     * both water marks.
     */
    public ObjectNode attach(String id, Connection viewer, Optional<Boolean> frames, boolean flowControl) {
        TerminalSession s = find(id);
        boolean binary = frames.orElse(
                viewer.outbound().takesFrames() && viewer.peer().transport() != dev.agentwire.core.Transport.WEBSOCKET);
        ObjectNode out = s.describe();
        out.put("scrollback", s.attach(viewer, binary, flowControl));
        out.put("frames", binary && viewer.outbound().takesFrames());
        if (flowControl) {
            out.putObject("flowControl").put("highWater", ViewerFlow.HIGH).put("lowWater", ViewerFlow.LOW);
        }
        return out;
    }

    /**
     * {@code terminals/ack}: a flow-controlled viewer drew {@code chars} more characters of the output.
     *
     * @throws HubException {@code -32602} if {@code viewer} is not attached to {@code id} with flow control
     */
    public ObjectNode ack(String id, Connection viewer, long chars) {
        if (!find(id).ack(viewer, chars)) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "not_flow_controlled",
                    "this connection is not attached to terminal " + id + " with flowControl true");
        }
        return Json.mapper().createObjectNode().put("id", id);
    }

    public ObjectNode detach(String id, Connection viewer) {
        return Json.mapper().createObjectNode().put("id", id).put("detached", find(id).detach(viewer));
    }

    /** Streams session {@code id}'s output to {@code sink}; the scrollback so far. */
    public String subscribe(String id, TerminalSink sink) {
        return find(id).subscribe(sink);
    }

    public void unsubscribe(String id, TerminalSink sink) {
        TerminalSession s = sessions.get(id);
        if (s != null) {
            s.unsubscribe(sink);
        }
    }

    /** Raw keyboard bytes for session {@code id}. */
    public void writeBytes(String id, byte[] bytes) {
        find(id).writeBytes(bytes);
    }

    /** What {@code terminals/list} shows of session {@code id}. */
    public ObjectNode describe(String id) {
        return find(id).describe();
    }

    /** A connection closed: it stops watching every session, its waits end, and the sessions it forwarded end. */
    public void connectionClosed(Connection c) {
        sessions.values().forEach(s -> s.detach(c));
        waitCalls.callerGone(c);
        forwarderGone(c);
    }

    /** Ends every session and stops the match threads (the hub stops). */
    public void close() {
        matcher.shutdownNow();
        inputPool.shutdownNow();
        List<TerminalSession> ending = new ArrayList<>();
        for (TerminalSession s : sessions.values()) {
            if (forwardedAlive.contains(s.id)) {
                continue; // a forwarded terminal outlives the hub: its forwarder registers it again, directory and all
            }
            if (s.isRunning()) {
                signal(s, 1); // SIGHUP, as when a terminal closes
            }
            ending.add(s);
        }
        // The seed's shutdown: the sessions it ends end (SIGKILL for those still there after the grace), then no
        // directory of theirs is left behind. One deadline for them all, so a stop never waits per session.
        awaitAll(ending, TimeUnit.SECONDS.toNanos(SHUTDOWN_GRACE_SECONDS));
        ending.stream().filter(TerminalSession::isRunning).forEach(s -> signal(s, 9));
        awaitAll(ending, TimeUnit.MILLISECONDS.toNanos(500));
        ending.forEach(this::remove);
    }

    private static void awaitAll(List<TerminalSession> all, long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (TerminalSession s : all) {
            s.awaitExit(deadline - System.nanoTime());
        }
    }

    /** How long the hub's stop waits for the terminals it hangs up before it kills them. */
    static final long SHUTDOWN_GRACE_SECONDS = 2;

    private static void signal(TerminalSession s, int signal) {
        try {
            s.signal(signal);
        } catch (HubException e) {
            // exited meanwhile
        }
    }
}
