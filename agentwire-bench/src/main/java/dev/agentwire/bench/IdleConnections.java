package dev.agentwire.bench;

import dev.agentwire.server.AgentwireHub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap per idle Unix-socket connection: a hub in a child JVM (so its heap is its own), N connections from this
 * process that each answered one {@code hub/ping} and then stay silent, the child's heap after a full GC minus its
 * heap with no connection, divided by N. With {@code --histogram}, the classes that grew, per connection, from
 * {@code jcmd GC.class_histogram} before and after.
 *
 * <p>Each connection is a file descriptor in both processes, so the fd limit is the harness's: start the bench
 * under {@code prlimit --nofile=N:N} (or {@code ulimit -n N}); the child inherits it and the hub raises nothing. A
 * count the limit cannot hold is refused before anything starts, with the limit in the message.
 *
 * <pre>
 *   java -cp agentwire-bench/target/bench.jar dev.agentwire.bench.IdleConnections [--counts 10000,19000]
 *       [--rounds 3] [--histogram]
 * </pre>
 */
public final class IdleConnections {

    private static final byte[] PING =
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}\n".getBytes(StandardCharsets.UTF_8);

    private IdleConnections() {}

    /** One measurement: connections held, the child's heap with none and with them, and the top growing classes. */
    public record Measurement(int connections, long baseHeap, long heap, List<String> grew) {
        public double bytesPerConnection() {
            return (double) (heap - baseHeap) / connections;
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> counts = List.of(10_000, 19_000);
        int rounds = 3;
        boolean histogram = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--counts" ->
                    counts = java.util.Arrays.stream(args[++i].split(","))
                            .map(Integer::parseInt)
                            .toList();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--histogram" -> histogram = true;
                default -> {
                    System.err.println("usage: IdleConnections [--counts N,N] [--rounds N] [--histogram]");
                    System.exit(2);
                }
            }
        }
        run(counts, rounds, histogram, System.out);
    }

    /** Measures every count in every round (counts alternate within a round); prints each and the medians. */
    public static Map<Integer, List<Measurement>> run(
            List<Integer> counts, int rounds, boolean histogram, PrintStream out) throws Exception {
        Map<Integer, List<Measurement>> all = new HashMap<>();
        out.printf(Locale.ROOT, "fd limit here: soft %d%n", softFdLimit());
        for (int r = 1; r <= rounds; r++) {
            for (int n : counts) {
                Measurement m = measure(n, histogram);
                all.computeIfAbsent(n, k -> new ArrayList<>()).add(m);
                out.printf(
                        Locale.ROOT,
                        "round %d, %,d connections: heap %,d -> %,d bytes, %.0f bytes (%.2f KiB) per connection%n",
                        r,
                        n,
                        m.baseHeap(),
                        m.heap(),
                        m.bytesPerConnection(),
                        m.bytesPerConnection() / 1024);
                m.grew().forEach(line -> out.println("    " + line));
            }
        }
        for (int n : counts) {
            double[] v = all.get(n).stream()
                    .mapToDouble(Measurement::bytesPerConnection)
                    .sorted()
                    .toArray();
            out.printf(
                    Locale.ROOT,
                    "%,d idle connections: median %.2f KiB per connection (%.2f-%.2f)%n",
                    n,
                    v[v.length / 2] / 1024,
                    v[0] / 1024,
                    v[v.length - 1] / 1024);
        }
        return all;
    }

    /** Starts a hub in a child JVM, opens {@code n} idle connections to it, and measures its heap. */
    public static Measurement measure(int n, boolean histogram) throws Exception {
        long need = n + 512L;
        long soft = softFdLimit();
        if (need > soft) {
            throw new IllegalStateException(n + " connections need about " + need + " file descriptors in this"
                    + " process, which may open " + soft + " (ulimit -n; raise it before starting the bench)");
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awidle");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Child.class.getName());
        cmd.add(dir.toString());
        Process child = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<SocketChannel> open = new ArrayList<>(n);
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter cmdOut = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String ready = expect(in, "ready ");
            Path socket = Path.of(ready.substring("ready ".length()));
            // Warm the hub's paths (classes, pools, caches) with connections that come and go, then take the base.
            for (int i = 0; i < 200; i++) {
                open.add(connect(socket));
            }
            closeAll(open);
            Thread.sleep(500);
            long base = heap(in, cmdOut);
            Map<String, long[]> before = histogram ? histogram(child.pid()) : Map.of();
            for (int i = 0; i < n; i++) {
                open.add(connect(socket));
            }
            long after = heap(in, cmdOut);
            List<String> grew = histogram ? grew(before, histogram(child.pid()), n) : List.of();
            closeAll(open);
            cmdOut.println("quit");
            return new Measurement(n, base, after, grew);
        } finally {
            closeAll(open);
            child.destroy();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
    }

    private static SocketChannel connect(Path socket) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap(PING));
            ByteBuffer reply = ByteBuffer.allocate(512);
            do {
                if (c.read(reply) < 0) {
                    throw new IOException("the hub closed a connection before answering hub/ping");
                }
            } while (reply.position() == 0 || reply.get(reply.position() - 1) != '\n');
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    private static void closeAll(List<SocketChannel> open) {
        for (SocketChannel c : open) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        open.clear();
    }

    private static long heap(BufferedReader in, PrintWriter out) throws IOException {
        out.println("heap");
        return Long.parseLong(expect(in, "heap ").substring("heap ".length()));
    }

    private static String expect(BufferedReader in, String prefix) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("the hub's process ended before it said '" + prefix.trim() + "'");
    }

    /** Bytes per class from {@code jcmd PID GC.class_histogram} (which runs a full GC first). */
    private static Map<String, long[]> histogram(long pid) throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(pid),
                        "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        Map<String, long[]> out = new HashMap<>();
        Matcher m = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE)
                .matcher(text);
        while (m.find()) {
            out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
        }
        return out;
    }

    private static List<String> grew(Map<String, long[]> before, Map<String, long[]> after, int n) {
        return after.entrySet().stream()
                .map(e -> {
                    long[] b = before.getOrDefault(e.getKey(), new long[2]);
                    return Map.entry(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]});
                })
                .filter(e -> e.getValue()[1] > 0)
                .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                .limit(25)
                .map(e -> String.format(
                        Locale.ROOT,
                        "%8.1f bytes %6.2f objects per connection  %s",
                        (double) e.getValue()[1] / n,
                        (double) e.getValue()[0] / n,
                        e.getKey()))
                .toList();
    }

    private static long softFdLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean u) {
            return u.getMaxFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }

    /**
     * The hub's process: starts a hub under the directory it is given, prints {@code ready SOCKET}, then answers
     * {@code heap} with {@code heap BYTES} (the heap in use after full GCs) until {@code quit} or the end of input.
     */
    public static final class Child {

        private Child() {}

        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            try (AgentwireHub hub = AgentwireHub.builder()
                    .home(dir.resolve("home"))
                    .set("clientPort", "0")
                    .set("limits.maxConnectionsPerIdentity", "1000000")
                    .set("logging.level", "warn")
                    .build()
                    .start()) {
                System.out.println("ready " + hub.config().socketPath());
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.equals("quit")) {
                    if (line.equals("heap")) {
                        System.out.println("heap " + usedAfterGc());
                    }
                }
            }
        }

        private static long usedAfterGc() throws InterruptedException {
            long used = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(200);
                used = Math.min(
                        used,
                        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
            return used;
        }
    }
}
