package dev.agentwire.server.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} for a test, on a free loopback port, with its files in a directory of the test's.
 * Tests that need one skip, naming the package, only where it is not installed ({@code .ci/run} installs it).
 */
public final class RedisProcess implements AutoCloseable {

    private static final Path SERVER = Path.of("/usr/bin/redis-server");

    private final Process process;
    private final int port;

    private RedisProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Skips the calling test unless {@code redis-server} is installed. */
    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(SERVER), "redis-server is not installed (apt-get install redis-server)");
    }

    /** Starts one without persistence, with {@code options} ({@code --name value} pairs) after the defaults. */
    public static RedisProcess start(Path dir, String... options) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            try {
                return startOn(dir, port, options);
            } catch (IOException e) {
                if (attempt == 2) {
                    throw e;
                }
            }
        }
    }

    /**
     * Starts one on {@code port} (a Redis started again where a killed one was), without persistence unless
     * {@code options} say otherwise.
     */
    public static RedisProcess startOn(Path dir, int port, String... options) throws IOException, InterruptedException {
        assumeInstalled();
        List<String> cmd = new ArrayList<>(List.of(
                SERVER.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--logfile",
                dir.resolve("redis-" + port + ".log").toString()));
        cmd.addAll(List.of(options));
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        RedisProcess r = new RedisProcess(p, port);
        if (r.awaitPing(10_000)) {
            return r;
        }
        p.destroyForcibly().waitFor();
        throw new IOException("redis-server did not start on port " + port + "; see " + dir);
    }

    /**
     * A Sentinel on a free port watching the master {@code master} at {@code masterPort} (quorum 1, down after 1 s),
     * its config in {@code dir}.
     */
    public static RedisProcess startSentinel(Path dir, String master, int masterPort)
            throws IOException, InterruptedException {
        assumeInstalled();
        Files.createDirectories(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = dir.resolve("sentinel-" + port + ".conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "port " + port,
                        "bind 127.0.0.1",
                        "dir " + dir,
                        "logfile " + dir.resolve("sentinel-" + port + ".log"),
                        "sentinel monitor " + master + " 127.0.0.1 " + masterPort + " 1",
                        "sentinel down-after-milliseconds " + master + " 1000",
                        "sentinel failover-timeout " + master + " 5000",
                        ""));
        Process p = new ProcessBuilder(SERVER.toString(), conf.toString(), "--sentinel")
                .redirectErrorStream(true)
                .start();
        RedisProcess r = new RedisProcess(p, port);
        if (!r.awaitPing(10_000)) {
            p.destroyForcibly().waitFor();
            throw new IOException("redis-server --sentinel did not start on port " + port + "; see " + dir);
        }
        return r;
    }

    /** {@code redis-cli -p PORT ARGS...}: its whole output, for replies that are more than a line. */
    public String cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/redis-cli", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private boolean awaitPing(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            if ("+PONG".equals(command("PING"))) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** One inline command's first reply line, or null if Redis cannot be reached. */
    public String command(String inline) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            return null;
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Ends it as {@code kill -9} would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
