package dev.agentwire.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The side-by-side round-trip harness. In one run it measures the C Unix-socket ping-pong floor, a raw Java NIO
 * ping-pong, and {@code hub/ping} through the real hub and Java client over UDS and TCP; prints a table with
 * each subject's p50/p99/p99.9 and round trips per second, and its p50 as a ratio to the C floor; and writes
 * the same as JSON.
 *
 * <pre>
 *   java -jar agentwire-bench/target/bench.jar [--iterations N] [--warmup N] [--output FILE] [--cc CC]
 *   taskset -c 0 java -jar agentwire-bench/target/bench.jar   # both ends on one vCPU
 * </pre>
 */
public final class RoundTripBench {

    /** The goal of the foundation issue: hub/ping p50 over UDS at most this many times the C floor. */
    public static final double UDS_GOAL_RATIO = 2.0;

    /** The goal of the tools issue: a UDS tool call (two hops) at most this many times the C floor. */
    public static final double TOOL_GOAL_RATIO = 3.0;

    /** The services issue's goal: requests/s with 3 instances and 50 callers at least this many times Redis's. */
    public static final double SERVICE_GOAL_RATIO = 5.0;

    /** The seed's claim: p99 under load below 2 ms. */
    public static final long SERVICE_P99_GOAL_NANOS = 2_000_000;

    /** Subscribers in the fan-out measurement (and of the Redis baseline). */
    public static final int SUBSCRIBERS = 100;

    /** Agents in the concurrent tool-call measurement. */
    public static final int CONCURRENT_AGENTS = 16;

    private RoundTripBench() {}

    public static void main(String[] args) throws Exception {
        int iterations = 20_000;
        int warmup = 20_000;
        Path output = Path.of("bench-results", "round-trip.json");
        String cc = "cc";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--output" -> output = Path.of(args[++i]);
                case "--cc" -> cc = args[++i];
                case "-h", "--help" -> {
                    System.out.println("usage: bench [--iterations N] [--warmup N] [--output FILE] [--cc CC]");
                    return;
                }
                default -> {
                    System.err.println("bench: unknown argument " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        ObjectNode result = run(iterations, warmup, cc, System.out);
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        Files.writeString(output, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
        System.out.println("wrote " + output);
    }

    /** The hub every figure is measured on: in this process, no rate limits, warnings only. */
    static AgentwireHub benchHub(Path dir) {
        return AgentwireHub.builder()
                .home(dir.resolve("home"))
                .set("clientPort", "0")
                .set("limits.ratePerSecond", "0")
                .set("rooms.publishesPerMinute", "0")
                .set("rooms.maxMessages", "1000000")
                .set("logging.level", "warn")
                .set("server.ioThreads", System.getProperty("bench.ioThreads", "0"))
                .build()
                .start();
    }

    /** Runs every subject and prints the table to {@code out}; returns the JSON report. */
    public static ObjectNode run(int iterations, int warmup, String cc, PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awbench");
        Map<String, Stats> results = new LinkedHashMap<>();
        double concurrentCallsPerSecond;
        double fanOut;
        double rawFanOut;
        double acked1;
        double acked16;
        ServicesBench.Load serviceLoad;
        Optional<ServicesBench.Load> redisServiceLoad;
        ServicesBench.Load thinServiceLoad;
        Optional<ServicesBench.Load> thinRedisServiceLoad;
        TerminalBench.Result terminal;
        Path binary = CFloor.compile(cc, dir);
        results.put("c-uds-floor", CFloor.run(binary, dir.resolve("c.sock"), iterations, warmup));
        results.put("java-nio-uds", NioPingPong.run(dir.resolve("nio.sock"), iterations, warmup));
        try (AgentwireHub hub = benchHub(dir)) {
            try (AgentwireClient uds = AgentwireClient.builder()
                    .endpoint(hub.endpoint())
                    .reconnect(false)
                    .connect()) {
                results.put("hub-ping-uds", HubPing.run(uds, iterations, warmup));
            }
            try (AgentwireClient tcp = AgentwireClient.builder()
                    .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                    .token(hub.token())
                    .reconnect(false)
                    .connect()) {
                results.put("hub-ping-tcp", HubPing.run(tcp, iterations, warmup));
            }
            results.put("tool-call-uds", ToolCallBench.uds(hub, iterations, warmup));
            results.put("tool-call-ws", ToolCallBench.webSocket(hub, iterations, warmup));
            concurrentCallsPerSecond = ToolCallBench.concurrent(hub, CONCURRENT_AGENTS, Math.max(50, iterations / 4));
            fanOut = RoomsBench.fanOut(hub, SUBSCRIBERS, Math.max(100, iterations / 4));
            RoomsBench.rawFanOut(hub, SUBSCRIBERS, Math.max(100, iterations / 4)); // warm-up
            rawFanOut = RoomsBench.rawFanOut(hub, SUBSCRIBERS, Math.max(1000, iterations));
            acked1 = RoomsBench.acked(hub, 1, Math.max(100, iterations));
            acked16 = RoomsBench.acked(hub, 16, Math.max(160, iterations));
            results.put("service-uds", ServicesBench.udsRoundTrip(hub, iterations, warmup));
            results.put("service-http", ServicesBench.httpRoundTrip(hub, iterations, warmup));
            int each = Math.max(20, iterations / ServicesBench.CALLERS);
            ServicesBench.load(hub, ServicesBench.INSTANCES, ServicesBench.CALLERS, Math.max(10, each / 4));
            serviceLoad = ServicesBench.load(hub, ServicesBench.INSTANCES, ServicesBench.CALLERS, each);
            redisServiceLoad = ServicesBench.redisLoad(dir, ServicesBench.INSTANCES, ServicesBench.CALLERS, each);
            thinServiceLoad = ServicesBench.thinHubLoad(hub, ServicesBench.INSTANCES, ServicesBench.CALLERS, each);
            thinRedisServiceLoad =
                    ServicesBench.thinRedisLoad(dir, ServicesBench.INSTANCES, ServicesBench.CALLERS, each);
            terminal = TerminalBench.run(hub, dir, Math.max(4, iterations / 1000));
        }
        Stats floor = results.get("c-uds-floor");
        ObjectNode report = Json.mapper().createObjectNode();
        report.put("iterations", iterations);
        report.put("warmup", warmup);
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("java", System.getProperty("java.version"));
        report.put("affinity", affinity());
        ObjectNode subjects = report.putObject("subjects");
        out.printf(Locale.ROOT, "round trips: %d measured after %d warm-up, %s%n", iterations, warmup, affinity());
        out.printf(
                Locale.ROOT,
                "%-14s %10s %10s %10s %12s %10s%n",
                "subject",
                "p50 µs",
                "p99 µs",
                "p99.9 µs",
                "round trips/s",
                "p50 ÷ C");
        for (var e : results.entrySet()) {
            Stats s = e.getValue();
            double ratio = (double) s.p50Nanos() / floor.p50Nanos();
            out.printf(
                    Locale.ROOT,
                    "%-14s %10.1f %10.1f %10.1f %12.0f %10.2f%n",
                    e.getKey(),
                    s.p50Nanos() / 1e3,
                    s.p99Nanos() / 1e3,
                    s.p999Nanos() / 1e3,
                    s.roundTripsPerSecond(),
                    ratio);
            ObjectNode j = subjects.putObject(e.getKey());
            j.put("p50Nanos", s.p50Nanos());
            j.put("p99Nanos", s.p99Nanos());
            j.put("p999Nanos", s.p999Nanos());
            j.put("roundTripsPerSecond", s.roundTripsPerSecond());
            j.put("p50RatioToCFloor", ratio);
        }
        double udsRatio = (double) results.get("hub-ping-uds").p50Nanos() / floor.p50Nanos();
        report.put("udsGoalRatio", UDS_GOAL_RATIO);
        report.put("udsGoalMet", udsRatio <= UDS_GOAL_RATIO);
        out.printf(
                Locale.ROOT,
                "goal: hub-ping-uds p50 ≤ %.1f× the C floor: %s (%.2f×)%n",
                UDS_GOAL_RATIO,
                udsRatio <= UDS_GOAL_RATIO ? "met" : "not met",
                udsRatio);
        double toolRatio = (double) results.get("tool-call-uds").p50Nanos() / floor.p50Nanos();
        report.put("toolGoalRatio", TOOL_GOAL_RATIO);
        report.put("toolGoalMet", toolRatio <= TOOL_GOAL_RATIO);
        out.printf(
                Locale.ROOT,
                "goal: tool-call-uds p50 ≤ %.1f× the C floor: %s (%.2f×)%n",
                TOOL_GOAL_RATIO,
                toolRatio <= TOOL_GOAL_RATIO ? "met" : "not met",
                toolRatio);
        report.put("concurrentAgents", CONCURRENT_AGENTS);
        report.put("concurrentToolCallsPerSecond", concurrentCallsPerSecond);
        out.printf(
                Locale.ROOT,
                "tool calls/s with %d concurrent UDS agents and one provider: %.0f%n",
                CONCURRENT_AGENTS,
                concurrentCallsPerSecond);
        Optional<Double> redis = RoomsBench.redisFanOut(dir, SUBSCRIBERS, Math.max(1000, iterations));
        report.put("fanOutDeliveriesPerSecond", rawFanOut);
        report.put("fanOutJavaClientsDeliveriesPerSecond", fanOut);
        report.put("ackedPublishesPerSecond1", acked1);
        report.put("ackedPublishesPerSecond16", acked16);
        out.printf(
                Locale.ROOT,
                "rooms: fan-out to %d UDS subscribers: %.0f deliveries/s (raw sockets), %.0f (Java clients)%n",
                SUBSCRIBERS,
                rawFanOut,
                fanOut);
        out.printf(Locale.ROOT, "rooms: durable publishes acked/s: %.0f (1 publisher), %.0f (16)%n", acked1, acked16);
        if (redis.isPresent()) {
            report.put("redisFanOutDeliveriesPerSecond", redis.get());
            report.put("fanOutGoalMet", rawFanOut >= redis.get());
            out.printf(
                    Locale.ROOT,
                    "redis pub/sub, same payload, %d subscribers: %.0f deliveries/s; goal (rooms ≥ redis): %s (%.2f×)%n",
                    SUBSCRIBERS,
                    redis.get(),
                    rawFanOut >= redis.get() ? "met" : "not met",
                    rawFanOut / redis.get());
        } else {
            out.println("redis pub/sub: skipped (redis-server and redis-benchmark are not installed)");
        }
        reportServices(report, out, "java-clients", "AgentwireClient / Lettuce", serviceLoad, redisServiceLoad);
        reportServices(report, out, "thin-clients", "raw sockets", thinServiceLoad, thinRedisServiceLoad);
        report.put("terminalMegabytesPerSecond", terminal.hubMegabytesPerSecond());
        report.put("catMegabytesPerSecond", terminal.catMegabytesPerSecond());
        report.put("ptyMegabytesPerSecond", terminal.ptyMegabytesPerSecond());
        out.println(terminal.describe());
        return report;
    }

    /** One pair of service-load figures (hub and Redis lists under the same clients) and the goals. */
    private static void reportServices(
            ObjectNode report,
            PrintStream out,
            String key,
            String clients,
            ServicesBench.Load hub,
            Optional<ServicesBench.Load> redis) {
        ObjectNode j = report.putObject("services-" + key);
        j.put("requestsPerSecond", hub.requestsPerSecond());
        j.put("p50Nanos", hub.p50Nanos());
        j.put("p99Nanos", hub.p99Nanos());
        j.put("p99GoalMet", hub.p99Nanos() < SERVICE_P99_GOAL_NANOS);
        out.printf(
                Locale.ROOT,
                "services (%s): %d instances, %d callers: %s; p99 < %.0f ms: %s%n",
                clients,
                ServicesBench.INSTANCES,
                ServicesBench.CALLERS,
                hub.describe(),
                SERVICE_P99_GOAL_NANOS / 1e6,
                hub.p99Nanos() < SERVICE_P99_GOAL_NANOS ? "met" : "not met");
        if (redis.isEmpty()) {
            out.println("redis lists: skipped (redis-server is not installed)");
            return;
        }
        double ratio = hub.requestsPerSecond() / redis.get().requestsPerSecond();
        j.put("redisRequestsPerSecond", redis.get().requestsPerSecond());
        j.put("ratio", ratio);
        j.put("goalMet", ratio >= SERVICE_GOAL_RATIO);
        out.printf(
                Locale.ROOT,
                "redis lists (%s), same load: %s; hub ≥ %.0f× redis: %s (%.2f×)%n",
                clients,
                redis.get().describe(),
                SERVICE_GOAL_RATIO,
                ratio >= SERVICE_GOAL_RATIO ? "met" : "not met",
                ratio);
    }

    /** The CPUs this process may run on, from /proc (Linux). */
    private static String affinity() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Cpus_allowed_list:"))
                    .map(l -> "cpus " + l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("cpus unknown");
        } catch (java.io.IOException e) {
            return "cpus unknown";
        }
    }
}
