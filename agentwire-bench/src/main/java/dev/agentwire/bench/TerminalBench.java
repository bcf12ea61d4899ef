package dev.agentwire.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Terminal output throughput: a PTY running {@code cat} of a large file, watched by 5 raw {@code ipc.sock}
 * viewers (StdoutData frames), against {@code cat} of the same file to {@code /dev/null} and through a bare PTY in
 * the same run. Two files: plain text ({@link #run}) and a vtebench-like mix of escapes ({@link #runMix}, made by
 * {@link VteMix}).
 */
final class TerminalBench {

    /** Viewers attached while the output flows. */
    static final int VIEWERS = 5;

    private TerminalBench() {}

    /** MB/s of the two. */
    record Result(
            double hubMegabytesPerSecond, double catMegabytesPerSecond, double ptyMegabytesPerSecond, long bytes) {
        String describe() {
            return String.format(
                    Locale.ROOT,
                    "terminal output to %d ipc.sock viewers: %.1f MB/s; cat to /dev/null: %.1f MB/s (%.4f×); cat through"
                            + " a bare PTY (script): %.1f MB/s (%.2f×); %d MB",
                    VIEWERS,
                    hubMegabytesPerSecond,
                    catMegabytesPerSecond,
                    hubMegabytesPerSecond / catMegabytesPerSecond,
                    ptyMegabytesPerSecond,
                    hubMegabytesPerSecond / ptyMegabytesPerSecond,
                    bytes >> 20);
        }
    }

    /** What the terminal's program prints. */
    enum Workload {
        /** Lines of 40-100 letters, like a build log. */
        PLAIN,
        /** Dense coloured text, scrolling regions, cursor motion, erases ({@link VteMix}). */
        MIX
    }

    /**
     * {@code java -cp bench.jar dev.agentwire.bench.TerminalBench [MB] [plain|mix|both]}: one line per workload,
     * each ending with its hub ÷ bare PTY ratio.
     */
    public static void main(String[] args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        String which = args.length > 1 ? args[1] : "both";
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awterm");
        try (AgentwireHub hub = BenchContext.benchHub(dir)) {
            run(hub, dir, 4); // warm-up
            if (!which.equals("mix")) {
                System.out.println("plain: " + run(hub, dir, mb).describe());
            }
            if (!which.equals("plain")) {
                runMix(hub, dir, 4); // warm-up
                System.out.println("mix: " + runMix(hub, dir, mb).describe());
            }
        }
    }

    /** {@code cat} of {@code megabytes} of plain text. */
    static Result run(AgentwireHub hub, Path dir, int megabytes) throws Exception {
        return run(hub, dir, Workload.PLAIN, megabytes);
    }

    /** {@code cat} of {@code megabytes} of the vtebench-like mix ({@link VteMix}). */
    static Result runMix(AgentwireHub hub, Path dir, int megabytes) throws Exception {
        return run(hub, dir, Workload.MIX, megabytes);
    }

    static Result run(AgentwireHub hub, Path dir, Workload workload, int megabytes) throws Exception {
        Path file = dir.resolve("output-" + workload.name().toLowerCase(Locale.ROOT) + "-" + megabytes + ".txt");
        if (!Files.exists(file)) {
            if (workload == Workload.PLAIN) {
                writeText(file, (long) megabytes << 20);
            } else {
                VteMix.write(file, (long) megabytes << 20, 120, 40);
            }
        }
        long bytes = Files.size(file);
        double cat = timed(bytes, "cat", file.toString());
        // The same through a pseudo-terminal and nothing else: util-linux's script, output discarded.
        double pty = Files.isExecutable(Path.of("/usr/bin/script"))
                ? timed(bytes, "/usr/bin/script", "-q", "-c", "cat '" + file + "'", "/dev/null")
                : Double.NaN;
        try (AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            // The command waits for a line, so that every viewer is attached before the output starts.
            JsonNode s = c.request(
                            "terminals/spawn",
                            Json.mapper()
                                    .createObjectNode()
                                    .put("cols", 120)
                                    .put("rows", 40)
                                    .set(
                                            "command",
                                            Json.mapper()
                                                    .createArrayNode()
                                                    .add("sh")
                                                    .add("-c")
                                                    .add("stty -echo; read go; cat '" + file + "'")))
                    .get(30, TimeUnit.SECONDS);
            String id = s.path("id").asText();
            Path sock = hub.config().home().resolve("control").resolve(id).resolve("ipc.sock");
            List<CompletableFuture<Long>> viewers = new ArrayList<>();
            List<SocketChannel> channels = new ArrayList<>();
            for (int i = 0; i < VIEWERS; i++) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(sock));
                channels.add(ch);
                viewers.add(CompletableFuture.supplyAsync(() -> countUntilExit(ch)));
            }
            // Every viewer has its SessionInfo by the time the shell reads the line.
            Thread.sleep(200);
            long start = System.nanoTime();
            c.request(
                            "terminals/input",
                            Json.mapper().createObjectNode().put("id", id).put("text", "go\r"))
                    .get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Long> v : viewers) {
                long got = v.get(10, TimeUnit.MINUTES);
                if (got < bytes) {
                    throw new IllegalStateException("a viewer got " + got + " of " + bytes + " bytes");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            for (SocketChannel ch : channels) {
                ch.close();
            }
            return new Result(bytes / 1e6 / seconds, cat, pty, bytes);
        }
    }

    /** Reads typed frames until StatusUpdate "exited"; the StdoutData bytes seen. */
    private static long countUntilExit(SocketChannel ch) {
        try (InputStream raw = Channels.newInputStream(ch);
                DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16))) {
            long total = 0;
            while (true) {
                int type = in.readUnsignedByte();
                int len = in.readInt();
                byte[] payload = in.readNBytes(len);
                if (type == 0x04) {
                    total += len;
                } else if (type == 0x03 && new String(payload, StandardCharsets.UTF_8).contains("exited")) {
                    return total;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** MB/s of {@code command} run with its output discarded. */
    private static double timed(long bytes, String... command) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        p.waitFor(5, TimeUnit.MINUTES);
        return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
    }

    /** Lines of printable text, like a build log. */
    private static void writeText(Path file, long size) throws IOException {
        Random r = new Random(42);
        StringBuilder line = new StringBuilder();
        try (var out = Files.newBufferedWriter(file)) {
            long written = 0;
            while (written < size) {
                line.setLength(0);
                int n = 40 + r.nextInt(60);
                for (int i = 0; i < n; i++) {
                    line.append((char) ('a' + r.nextInt(26)));
                }
                line.append('\n');
                out.write(line.toString());
                written += line.length();
            }
        }
    }
}
