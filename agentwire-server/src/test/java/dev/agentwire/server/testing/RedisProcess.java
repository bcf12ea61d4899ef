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
        assumeInstalled();
        for (int attempt = 0; ; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
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
            if (attempt == 2) {
                throw new IOException("redis-server did not start on port " + port + "; see " + dir);
            }
        }
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
