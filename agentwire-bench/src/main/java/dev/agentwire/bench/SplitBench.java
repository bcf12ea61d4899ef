package dev.agentwire.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The services load with raw clients ({@link ThinLoad}) against servers in their own processes: one or more hub
 * builds and {@code redis-server}, each pinned to the server CPU while this load generator runs where it was
 * started (under {@code taskset -c 0}: another CPU than the servers'). Rounds alternate between the servers; each
 * round's slow requests are sorted into bursts ({@link Stalls}) so that a stall of the whole path shows.
 *
 * <pre>
 * taskset -c 0 java -cp bench.jar dev.agentwire.bench.SplitBench --rounds 5 --each 1000 --server-cpu 1 \
 *     --hub after=bench.jar [--hub before=old.jar] [--hub-jvm "-Xlog:safepoint,gc:file=%s-gc.log"] [--out DIR]
 * </pre>
 *
 * {@code --server-cpu free} leaves every process unpinned. In {@code --hub-jvm}, {@code %s} becomes
 * {@code OUT/NAME} (a file prefix per hub). A hub process is {@code SplitBench hub HOME}: it prints
 * {@code socket PATH} once it listens and stops when its standard input closes.
 */
final class SplitBench {

    private SplitBench() {}

    /** A server under load: its name, its socket and how to stop it. */
    private record Subject(String name, Path socket, ThinLoad.Protocol protocol, Process process) {}

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("hub")) {
            serveHub(Path.of(args[1]));
            return;
        }
        int rounds = 5;
        int each = 1000;
        String cpu = "1";
        Map<String, String> hubs = new LinkedHashMap<>();
        String hubJvm = "";
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--each" -> each = Integer.parseInt(v);
                case "--server-cpu" -> cpu = v;
                case "--hub" -> hubs.put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
                case "--hub-jvm" -> hubJvm = v;
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (hubs.isEmpty()) {
            hubs.put("hub", System.getProperty("java.class.path"));
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awsplit");
        Path logs = out != null ? out : dir;
        Files.createDirectories(logs);
        List<String> pin = cpu.equals("free") ? List.of() : List.of("taskset", "-c", cpu);
        List<Subject> subjects = new ArrayList<>();
        try {
            for (var hub : hubs.entrySet()) {
                subjects.add(startHub(hub.getKey(), hub.getValue(), pin, hubJvm, dir, logs));
            }
            Path redisSock = dir.resolve("redis.sock");
            startRedis(pin, redisSock, dir)
                    .ifPresent(p -> subjects.add(new Subject("redis", redisSock, new ThinLoad.Redis(), p)));
            System.out.printf(
                    Locale.ROOT,
                    "%d rounds of %d callers x %d requests, %d instances; servers on cpu %s, load where started%n",
                    rounds,
                    ServicesBench.CALLERS,
                    each,
                    ServicesBench.INSTANCES,
                    cpu);
            Map<String, List<ServicesBench.Load>> loads = new LinkedHashMap<>();
            Map<String, List<Double>> cpuPerRequest = new LinkedHashMap<>();
            for (int r = 1; r <= rounds; r++) {
                for (Subject s : subjects) {
                    ThinLoad.record(
                            s.socket(),
                            s.protocol(),
                            ServicesBench.INSTANCES,
                            ServicesBench.CALLERS,
                            Math.max(10, each / 4)); // warm-up
                    long self = ProcessHandle.current().pid();
                    Map<String, long[]> serverBefore = SchedStat.of(s.process().pid());
                    Map<String, long[]> loadBefore = SchedStat.of(self);
                    long t0 = System.nanoTime();
                    ThinLoad.Recorded run = ThinLoad.record(
                            s.socket(), s.protocol(), ServicesBench.INSTANCES, ServicesBench.CALLERS, each);
                    long wall = System.nanoTime() - t0;
                    Map<String, long[]> serverAfter = SchedStat.of(s.process().pid());
                    String serverSched = SchedStat.between(serverBefore, serverAfter, wall);
                    cpuPerRequest
                            .computeIfAbsent(s.name(), k -> new ArrayList<>())
                            .add(SchedStat.ranBetween(serverBefore, serverAfter) / 1e3 / run.size());
                    String loadSched = SchedStat.between(loadBefore, SchedStat.of(self), wall);
                    loads.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(run.load());
                    System.out.printf(
                            Locale.ROOT,
                            "round %d %-8s %s%n",
                            r,
                            s.name(),
                            run.load().describe());
                    System.out.println("    " + Stalls.histogram(run));
                    System.out.println("    " + Stalls.of(run, 2_000_000).describe(ServicesBench.CALLERS));
                    System.out.printf(Locale.ROOT, "    %.0f ms; server: %s%n", wall / 1e6, serverSched);
                    System.out.println("    load: " + loadSched);
                    if (out != null) {
                        Stalls.write(run, out.resolve("round" + r + "-" + s.name() + ".csv"));
                    }
                }
            }
            cpuPerRequest.forEach((name, v) -> System.out.println(name + ": server CPU per request (µs, by round) "
                    + v.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList()));
            List<ServicesBench.Load> redis = loads.get("redis");
            for (String name : hubs.keySet()) {
                List<ServicesBench.Load> hub = loads.get(name);
                System.out.println(name + ": " + summary("requests/s", hub, ServicesBench.Load::requestsPerSecond)
                        + "; " + summary("p99 ms", hub, l -> l.p99Nanos() / 1e6));
                if (redis != null) {
                    System.out.println(name + " ÷ redis: " + ratios("requests/s", hub, redis, true) + "; "
                            + ratios("p99", hub, redis, false));
                }
            }
            if (redis != null) {
                System.out.println("redis: " + summary("requests/s", redis, ServicesBench.Load::requestsPerSecond)
                        + "; " + summary("p99 ms", redis, l -> l.p99Nanos() / 1e6));
            }
        } finally {
            for (Subject s : subjects) {
                if (s.protocol() instanceof ThinLoad.Redis) {
                    s.process().destroyForcibly();
                    s.process().waitFor(10, TimeUnit.SECONDS);
                } else {
                    stop(s.process());
                }
            }
        }
    }

    private static String summary(
            String what, List<ServicesBench.Load> loads, java.util.function.ToDoubleFunction<ServicesBench.Load> f) {
        double[] v = loads.stream().mapToDouble(f).sorted().toArray();
        return String.format(Locale.ROOT, "%s median %.3g (%.3g-%.3g)", what, v[v.length / 2], v[0], v[v.length - 1]);
    }

    /** Round-by-round ratios: the median and the range. */
    private static String ratios(String what, List<ServicesBench.Load> a, List<ServicesBench.Load> b, boolean rate) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = rate
                    ? a.get(i).requestsPerSecond() / b.get(i).requestsPerSecond()
                    : (double) a.get(i).p99Nanos() / b.get(i).p99Nanos();
        }
        double[] sorted = r.clone();
        Arrays.sort(sorted);
        return String.format(
                Locale.ROOT,
                "%s median %.2fx (%.2f-%.2f; by round %s)",
                what,
                sorted[sorted.length / 2],
                sorted[0],
                sorted[sorted.length - 1],
                Arrays.stream(r)
                        .mapToObj(x -> String.format(Locale.ROOT, "%.2f", x))
                        .toList());
    }

    /** Starts {@code SplitBench hub} from {@code jar} and waits for its socket. */
    private static Subject startHub(String name, String jar, List<String> pin, String jvm, Path dir, Path logs)
            throws IOException {
        List<String> cmd = new ArrayList<>(pin);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : jvm.trim().split("\\s+")) {
            if (!a.isEmpty()) {
                cmd.add(a.replace("%s", logs.resolve(name).toString()));
            }
        }
        cmd.addAll(List.of(
                "-cp", jar, SplitBench.class.getName(), "hub", dir.resolve(name).toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectError(logs.resolve(name + "-stderr.log").toFile())
                .start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = lines.readLine()) != null && !line.startsWith("socket ")) {
            // the hub's own output before it listens
        }
        if (line == null) {
            throw new IllegalStateException(
                    "hub " + name + " did not start: see " + logs.resolve(name + "-stderr.log"));
        }
        return new Subject(name, Path.of(line.substring(7)), new ThinLoad.Hub("echo-thin"), p);
    }

    private static Optional<Process> startRedis(List<String> pin, Path sock, Path dir) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>(pin);
        cmd.addAll(List.of(
                "/usr/bin/redis-server",
                "--port",
                "0",
                "--unixsocket",
                sock.toString(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString()));
        Process server = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(sock)) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                server.destroyForcibly();
                throw new IllegalStateException("redis-server did not start on " + sock);
            }
            Thread.sleep(10);
        }
        return Optional.of(server);
    }

    /** A hub stops when its input closes (so that its JFR recording is written). */
    private static void stop(Process p) throws InterruptedException {
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // gone already
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** The hub process: a bench hub under {@code home} until standard input closes. */
    private static void serveHub(Path home) throws Exception {
        Files.createDirectories(home);
        try (var hub = BenchContext.benchHub(home)) {
            System.out.println("socket " + hub.config().socketPath());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the end of input
            }
        }
    }
}
