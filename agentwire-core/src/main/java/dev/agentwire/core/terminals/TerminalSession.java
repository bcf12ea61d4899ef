package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One terminal session: its process, a reader thread that takes everything the process writes and hands it to
 * the screen, the scrollback, the viewers, the waits and {@code output.cast}; and {@code session.json}, which
 * also records who started the process ({@code origin}) and, for a process the hub spawned, when it started
 * ({@code processStartedAt}), so that a later hub can tell it from a process that reuses its pid.
 *
 * <p>Lifecycle: the constructor makes the session's directory and {@code output.cast} and starts nothing;
 * {@link #start} launches the process and starts the screen's and the reader's threads, once. Thread safe.
 */
final class TerminalSession {

    private static final Logger log = LoggerFactory.getLogger(TerminalSession.class);

    final String id;
    final String name;
    final List<String> command;
    final String cwd;
    final long startedAt = System.currentTimeMillis();
    private final java.util.concurrent.Executor inputPool;
    /** The process; set once by {@link #start}, before anyone else can see the session. */
    private volatile Pty pty;
    /** Input waits here, never on the caller's thread, while the program does not read it (at most 1 MiB). */
    private volatile PtyInput input;

    private static final long MAX_PENDING_INPUT = 1 << 20;
    private final Screen screen;
    private final Path dir;
    private final Scrollback scrollback;
    /** Whether its forwarder owns {@code output.cast} and {@code ipc.sock} (a terminal spawned detached). */
    private final boolean detached;

    /** {@code output.cast}: its only writer (records nothing when {@link #detached}). */
    private final CastFile cast;
    /** Viewers: whether each gets StdoutData frames (else {@code terminals/output} notifications), its flow control. */
    private final Map<Connection, Viewer> viewers = new ConcurrentHashMap<>();

    /** A viewer: frames or notifications; {@code flow} null when it does not acknowledge what it drew. */
    private record Viewer(boolean frames, ViewerFlow flow) {}

    private final Set<TerminalSink> sinks = ConcurrentHashMap.newKeySet();
    private final TerminalWaits waits;
    private final Listener listener;
    private volatile int cols;
    private volatile int rows;
    /** The size it started with ({@code reset-size}). */
    final int initialCols;

    final int initialRows;
    /** Counted down once the process has ended and everything was told. */
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

    private volatile String title;
    private volatile String status = "starting";
    private volatile Integer exitCode;

    /** Shell-integration marks (OSC 133) in the output; the reader thread's. */
    private final ShellMarks marks;

    private volatile long commandStartedNanos;
    /** {@code spawn} (the hub's own process) or {@code forwarder} ({@code aw run}'s, in the user's terminal). */
    private volatile String origin;
    /** When the process started (epoch ms, as the OS reports it), if the hub spawned it. */
    private volatile OptionalLong processStartedAt = OptionalLong.empty();

    /** Told about a session's changes (the service turns them into events). */
    interface Listener {
        void bell(TerminalSession s);

        /** A command the shell ran ended ({@code exitCode}, how long it ran in ms or -1). */
        void commandEnded(TerminalSession s, int exitCode, long durationMs);

        void title(TerminalSession s);

        void exited(TerminalSession s);

        /** Output the process wrote, as read (on the reader thread: do little). */
        default void output(TerminalSession s, String text) {}
    }

    TerminalSession(
            String id,
            String name,
            List<String> command,
            String cwd,
            int cols,
            int rows,
            Path dir,
            int scrollbackBytes,
            Listener listener,
            TerminalWaits.Settings waitSettings,
            java.util.concurrent.Executor inputPool,
            boolean detached)
            throws IOException {
        this.id = id;
        this.detached = detached;
        this.name = name;
        this.command = List.copyOf(command);
        this.cwd = cwd;
        this.cols = cols;
        this.rows = rows;
        this.initialCols = cols;
        this.initialRows = rows;
        this.dir = dir;
        this.listener = listener;
        this.inputPool = inputPool;
        this.title = name;
        this.scrollback = new Scrollback(scrollbackBytes);
        this.marks = new ShellMarks(new ShellMarks.Listener() {
            @Override
            public void commandStarted() {
                commandStartedNanos = System.nanoTime();
            }

            @Override
            public void commandEnded(int code) {
                long started = commandStartedNanos;
                commandStartedNanos = 0;
                listener.commandEnded(
                        TerminalSession.this, code, started == 0 ? -1 : (System.nanoTime() - started) / 1_000_000);
            }
        });
        SessionFiles.privateDirectory(dir.getParent());
        SessionFiles.privateDirectory(dir);
        this.cast = detached
                ? CastFile.none(id)
                : CastFile.create(id, dir.resolve("output.cast"), cols, rows, startedAt, command, name);
        this.screen = new Screen(cols, rows, new Screen.Events() {
            @Override
            public void title(String t) {
                title = t;
                writeSessionJson();
                listener.title(TerminalSession.this);
            }

            @Override
            public void bell() {
                listener.bell(TerminalSession.this);
            }

            @Override
            public void answer(String text) {
                // Answers to the program's queries (cursor position, device attributes) go back to it.
                if (isRunning()) {
                    write(text);
                }
            }

            @Override
            public void settled() {
                waits.screenSettled();
            }
        });
        this.waits = new TerminalWaits(id, waitSettings, this::screenText, screen::eager);
    }

    /**
     * Launches the command on a PTY of the session's size, then starts the screen's thread and the reader
     * ({@code aw-term-ID}). Call once, before the session is shared.
     *
     * @throws IOException if the process cannot start; the session is then closed
     */
    void start(PtyLauncher launcher, Map<String, String> env) throws IOException {
        if (pty != null) {
            throw new IllegalStateException("terminal " + id + " is already started");
        }
        Pty launched;
        try {
            launched = launcher.launch(command, cwd, env, cols, rows);
        } catch (IOException | RuntimeException e) {
            screen.close();
            cast.close();
            throw e;
        }
        this.input = new PtyInput(id, launched.input(), inputPool, MAX_PENDING_INPUT);
        this.origin = launched instanceof RemotePty ? "forwarder" : "spawn";
        this.processStartedAt =
                launched instanceof RemotePty ? OptionalLong.empty() : LeftoverProcesses.startedAt(launched.pid());
        this.pty = launched;
        status = "running";
        writeSessionJson();
        screen.start();
        Thread reader = new Thread(this::pump, "aw-term-" + id.substring(0, 8));
        reader.setDaemon(true);
        reader.start();
    }

    /** The reader thread: the process's output to the screen, the viewers and the waiters, then its exit. */
    private void pump() {
        try {
            pumpOutput();
        } finally {
            ended.countDown();
        }
    }

    private void pumpOutput() {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        byte[] buf = new byte[64 * 1024]; // a PTY reader may give more than one tty buffer at once
        ByteBuffer in = ByteBuffer.allocate(buf.length + 8);
        CharBuffer out = CharBuffer.allocate(buf.length + 8);
        try (InputStream stream = pty.output()) {
            int n;
            while ((n = stream.read(buf)) > 0) {
                in.put(buf, 0, n).flip();
                decoder.decode(in, out, false);
                in.compact(); // an incomplete UTF-8 sequence waits for the next read
                out.flip();
                String text = out.toString();
                out.clear();
                output(text);
            }
        } catch (IOException e) {
            log.debug("terminal {}: output ended: {}", id, e.toString());
        }
        int code;
        try {
            code = pty.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        exitCode = code;
        status = "exited";
        screen.close();
        cast.close();
        writeSessionJson();
        waits.ended(exited());
        for (TerminalSink sink : sinks) {
            sink.exited(code);
        }
        sinks.clear();
        listener.exited(this);
    }

    /** Waits at most {@code nanos} for the process to end (and its exit to be told); whether it has. */
    boolean awaitExit(long nanos) {
        try {
            return ended.await(Math.max(nanos, 0), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void output(String text) {
        if (text.isEmpty()) {
            return;
        }
        marks.feed(text);
        listener.output(this, text);
        cast.output(text);
        // Under the scrollback's lock: a viewer that attaches or is sent the screen anew gets the scrollback and
        // then exactly the output after it.
        synchronized (scrollback) {
            scrollback.append(text);
            Message note = null;
            dev.agentwire.protocol.Frame frame = null;
            // One encoding per read, shared by every sink and frame viewer.
            byte[] utf8 = sinks.isEmpty() && viewers.isEmpty() ? null : text.getBytes(StandardCharsets.UTF_8);
            for (var e : viewers.entrySet()) {
                Connection v = e.getKey();
                Viewer how = e.getValue();
                if (!v.isOpen()) {
                    viewers.remove(v);
                } else if (how.flow() != null && !how.flow().offer(text.length())) {
                    continue; // paused: it gets the screen anew when it catches up
                } else if (how.frames()) {
                    if (frame == null) {
                        frame = stdoutFrame(utf8);
                    }
                    v.outbound().sendFrame(frame);
                } else {
                    if (note == null) {
                        note = outputNote(text, false);
                    }
                    v.outbound().send(note);
                }
            }
            for (TerminalSink sink : sinks) {
                sink.output(text, utf8);
            }
        }
        // After the scrollback: a wait that matches the screen finds the text in the scrollback too (aw term run
        // reads its output there once its end marker is on the screen).
        screen.feed(text);
        waits.output(text);
    }

    private Message outputNote(String text, boolean anew) {
        ObjectNode p = Json.mapper().createObjectNode().put("id", id).put("data", text);
        if (anew) {
            p.put("anew", true);
        }
        return new Message.Notification("terminals/output", p);
    }

    /**
     * What a viewer that resumes is sent after the reset: the scrollback's last {@link ViewerFlow#LOW} characters at
     * most, from a line's start. The whole scrollback (1 M by default) would be past HIGH at once, and the viewer
     * would never get live output while the program writes.
     */
    static String anewTail(String scrollback) {
        if (scrollback.length() <= ViewerFlow.LOW) {
            return scrollback;
        }
        int from = scrollback.length() - (int) ViewerFlow.LOW;
        int line = scrollback.indexOf('\n', from);
        return line < 0 ? "" : scrollback.substring(line + 1);
    }

    /**
     * A flow-controlled viewer drew {@code chars} more characters; if it was paused and has caught up, it is sent
     * the screen anew: a reset ({@code ESC c}) and the scrollback, in one {@code terminals/output} with {@code anew}
     * true (or one StdoutData frame). False if {@code viewer} is not a flow-controlled viewer of this session.
     */
    boolean ack(Connection viewer, long chars) {
        synchronized (scrollback) {
            Viewer how = viewers.get(viewer);
            if (how == null || how.flow() == null) {
                return false;
            }
            if (how.flow().ack(chars)) {
                String anew = "\u001bc" + anewTail(scrollback.text());
                how.flow().resent(anew.length());
                if (how.frames()) {
                    viewer.outbound().sendFrame(stdoutFrame(anew.getBytes(StandardCharsets.UTF_8)));
                } else {
                    viewer.outbound().send(outputNote(anew, true));
                }
            }
            return true;
        }
    }

    /**
     * A StdoutData frame for a connection that may watch several sessions: the 32-character session id, then
     * the output's UTF-8 bytes.
     */
    private dev.agentwire.protocol.Frame stdoutFrame(byte[] data) {
        byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
        byte[] payload = new byte[idBytes.length + data.length];
        System.arraycopy(idBytes, 0, payload, 0, idBytes.length);
        System.arraycopy(data, 0, payload, idBytes.length, data.length);
        return dev.agentwire.protocol.Frame.of(dev.agentwire.protocol.FrameType.STDOUT_DATA, payload);
    }

    boolean isRunning() {
        return "running".equals(status);
    }

    /** Sends text to the process as if typed. */
    void write(String text) {
        if (!isRunning()) {
            throw exited();
        }
        input.write(text.getBytes(StandardCharsets.UTF_8));
    }

    HubException exited() {
        var data = HubException.reasonData("terminal_exited");
        data.put("id", id);
        if (exitCode != null) {
            data.put("exitCode", exitCode);
        }
        return HubException.withData(
                ErrorCode.NOT_FOUND, "terminal " + id + " has exited (code " + exitCode + ")", data);
    }

    void resize(int newCols, int newRows) {
        if (!isRunning()) {
            throw exited();
        }
        cols = newCols;
        rows = newRows;
        pty.resize(newCols, newRows);
        screen.resize(newCols, newRows);
        cast.resize(newCols, newRows);
        writeSessionJson();
    }

    void title(String t) {
        title = t;
        writeSessionJson();
        listener.title(this);
    }

    void signal(int signal) {
        if (!isRunning()) {
            throw exited();
        }
        pty.signal(signal);
    }

    /** The visible screen, lines joined by {@code \n}. */
    private String screenText() {
        return String.join("\n", screen.lines());
    }

    /** The screen as text lines and the cursor, once what the process wrote so far is on it. */
    ObjectNode screen() throws InterruptedException {
        screen.settle(2000);
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("id", id);
        r.put("cols", cols);
        r.put("rows", rows);
        ArrayNode lines = r.putArray("lines");
        screen.lines().forEach(lines::add);
        int[] c = screen.cursor();
        r.putObject("cursor").put("x", c[0]).put("y", c[1]);
        r.put("status", status);
        return r;
    }

    /**
     * Starts {@code wait}: it looks at the screen now and whenever it settles, and at the output from now on, on
     * the match executor. Listening starts before the first look, so output in between is seen by one or the other.
     *
     * @throws HubException {@code -32008 too_many_waits} past {@code terminals.maxWaitsPerTerminal}
     */
    void addWait(TerminalWait wait) {
        waits.add(wait);
    }

    /** Starts streaming output to {@code viewer}; the scrollback so far. */
    String attach(Connection viewer, boolean frames) {
        return attach(viewer, frames, false);
    }

    /**
     * Starts streaming output to {@code viewer}, flow-controlled if {@code flowControl} ({@link ViewerFlow}: the
     * scrollback counts as sent); the scrollback so far.
     */
    String attach(Connection viewer, boolean frames, boolean flowControl) {
        synchronized (scrollback) {
            String text = scrollback.text();
            ViewerFlow flow = null;
            if (flowControl) {
                flow = new ViewerFlow(ViewerFlow.HIGH, ViewerFlow.LOW);
                flow.offer(text.length());
            }
            viewers.put(viewer, new Viewer(frames && viewer.outbound().takesFrames(), flow));
            return text;
        }
    }

    /** Adds {@code sink}; the scrollback so far (what it missed). */
    String subscribe(TerminalSink sink) {
        synchronized (scrollback) {
            sinks.add(sink);
            return scrollback.text();
        }
    }

    void unsubscribe(TerminalSink sink) {
        sinks.remove(sink);
    }

    /** Sends raw bytes to the process (ipc.sock StdinData). */
    void writeBytes(byte[] bytes) {
        if (!isRunning()) {
            throw exited();
        }
        input.write(bytes);
    }

    boolean detach(Connection viewer) {
        return viewers.remove(viewer) != null;
    }

    int viewerCount() {
        return viewers.size();
    }

    ObjectNode describe() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", id);
        o.put("name", name);
        ArrayNode cmd = o.putArray("command");
        command.forEach(cmd::add);
        o.put("cwd", cwd);
        o.put("pid", pty.pid());
        o.put("status", status);
        if (exitCode != null) {
            o.put("exitCode", exitCode);
        } else {
            o.putNull("exitCode");
        }
        o.put("cols", cols);
        o.put("rows", rows);
        o.put("startedAt", startedAt);
        o.put("title", title);
        return o;
    }

    /**
     * {@code session.json}: what {@link #describe} shows, and {@code origin} and {@code processStartedAt}; written to
     * a temporary file and moved into place ({@link SessionFiles#writeAtomically}).
     */
    synchronized void writeSessionJson() {
        try {
            ObjectNode json = describe();
            json.put("origin", origin);
            if (detached) {
                json.put("detached", true);
            }
            processStartedAt.ifPresent(t -> json.put("processStartedAt", t));
            SessionFiles.writeAtomically(
                    dir.resolve("session.json"),
                    Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        } catch (IOException e) {
            log.warn("terminal {}: cannot write session.json: {}", id, e.toString());
        }
    }

    Path dir() {
        return dir;
    }

    boolean detached() {
        return detached;
    }

    /** Whether its process still runs (for a forwarded session: the command its forwarder ran). */
    boolean processAlive() {
        Pty p = pty;
        long pid = p == null ? -1 : p.pid();
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    String status() {
        return status;
    }

    Integer exitCode() {
        return exitCode;
    }

    String title() {
        return title;
    }
}
