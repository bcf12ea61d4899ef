package dev.agentwire.server.testing;

import dev.agentwire.client.AgentwireClient;
import dev.agentwire.server.AgentwireHub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A real hub in its own JVM, for tests that must freeze it ({@code kill -STOP}), kill it, or give it a umask of
 * its own: the child runs {@link #main} on this test classpath, prints {@code ready ENDPOINT PORT TOKEN} once started and stops when
 * its stdin closes. {@link #close} ends it (resuming it first if it was stopped).
 */
public final class ChildHub implements AutoCloseable {

    private final Process process;
    private final String endpoint;
    private final int port;
    private final String token;

    private ChildHub(Process process, String endpoint, int port, String token) {
        this.process = process;
        this.endpoint = endpoint;
        this.port = port;
        this.token = token;
    }

    /** Starts a hub with home {@code home} and {@code settings} ({@code key=value}); waits until it is ready. */
    public static ChildHub start(Path home, String... settings) throws IOException {
        return launch(java(home, settings));
    }

    /** The same, in a process whose umask is {@code umask} (e.g. {@code 000}), as a shell gives it. */
    public static ChildHub startUnderUmask(Path home, String umask, String... settings) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + umask + "; exec \"$@\"", "sh"));
        cmd.addAll(java(home, settings));
        return launch(cmd);
    }

    private static List<String> java(Path home, String... settings) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildHub.class.getName());
        cmd.add(home.toString());
        cmd.addAll(List.of(settings));
        return cmd;
    }

    private static ChildHub launch(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("ready ")) {
                String[] f = line.split(" ");
                return new ChildHub(p, f[1], Integer.parseInt(f[2]), f[3]);
            }
        }
        p.destroyForcibly();
        throw new IOException("the child hub ended before it was ready (exit "
                + p.onExit().join().exitValue() + ")");
    }

    /**
     * Makes one call over the Unix socket and one over a WebSocket and waits for them however long they take: a
     * new JVM can take seconds to answer its first calls on a busy machine, which is not what tests time.
     */
    public ChildHub warmUp() throws Exception {
        try (AgentwireClient first = AgentwireClient.builder()
                .endpoint(endpoint)
                .idlePing(Duration.ZERO)
                .requestTimeout(Duration.ofSeconds(60))
                .connect()) {
            first.request("hub/status").get(60, TimeUnit.SECONDS);
        }
        CompletableFuture<CharSequence> reply = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        reply.complete(data);
                        return null;
                    }
                })
                .get(60, TimeUnit.SECONDS);
        ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}", true);
        reply.get(60, TimeUnit.SECONDS);
        ws.abort();
        return this;
    }

    public String endpoint() {
        return endpoint;
    }

    public int port() {
        return port;
    }

    public String token() {
        return token;
    }

    public long pid() {
        return process.pid();
    }

    /** The hub's socket path (the endpoint without {@code unix:}). */
    public Path socket() {
        return Path.of(endpoint.substring("unix:".length()));
    }

    /** Kills the hub with SIGKILL (no shutdown hook, no cleanup) and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** Freezes the hub: the kernel still accepts connections and buffers bytes, nothing answers. */
    public void stop() throws IOException, InterruptedException {
        signal("-STOP");
        // The signal is delivered asynchronously: wait until every thread of the hub is stopped, so that nothing
        // sent from now on can be answered.
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> allThreadsStopped(process.pid()));
    }

    private static boolean allThreadsStopped(long pid) throws IOException {
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc", Long.toString(pid), "task"))) {
            for (java.nio.file.Path task : tasks.toList()) {
                String stat = java.nio.file.Files.readString(task.resolve("stat"));
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if (state != 'T' && state != 't') {
                    return false;
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        return true;
    }

    /** Lets a frozen hub run again. */
    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String which) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", which, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill " + which + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            signal("-CONT");
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The child: {@code HOME [key=value ...]}. */
    public static void main(String[] args) throws IOException {
        AgentwireHub.Builder b = AgentwireHub.builder()
                .home(Path.of(args[0]))
                .set("clientPort", "0")
                .set("limits.shutdownGraceMs", "1000");
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            b.set(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try (AgentwireHub hub = b.build().start()) {
            System.out.println("ready " + hub.endpoint() + " " + hub.tcpPort().orElse(-1) + " " + hub.token());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the parent closes stdin
            }
        }
    }
}
