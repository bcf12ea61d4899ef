package dev.agentwire.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aw bench}: the side-by-side harness. Every subject runs beside the baseline it is compared with, in
 * interleaved rounds; each figure is the median of its per-round ratios with their min–max.
 *
 * <pre>
 *   aw bench [--quick] [--pin CPU] [--rounds N] [--json] [--html FILE] [--output FILE] [--only PROBES]
 *   java -jar agentwire-bench/target/bench.jar ...   # the same
 * </pre>
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure this machine's floors (C over Unix sockets, Redis, nats-server, SQLite, a bare PTY) and the hub"
                    + " beside them, in interleaved rounds, and print each figure as the median of its per-round"
                    + " ratios with their min–max."
        })
public final class BenchCommand implements Callable<Integer> {

    /** Set in the environment of a run that --pin started under taskset, so it does not start another. */
    static final String PINNED = "AW_BENCH_PINNED";

    @Option(names = "--quick", description = "fewer round trips and messages per round (about a minute a round)")
    boolean quick;

    @Option(names = "--pin", paramLabel = "CPU", description = "run everything on these CPUs (taskset -c CPU)")
    String pin;

    @Option(names = "--rounds", paramLabel = "N", description = "interleaved rounds (default: ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = "--iterations", paramLabel = "N", description = "round trips per latency subject and round")
    Integer iterations;

    @Option(names = "--json", description = "print the report as JSON instead of the table")
    boolean json;

    @Option(names = "--html", paramLabel = "FILE", description = "write the table and a percentile chart as HTML")
    Path html;

    @Option(names = "--output", paramLabel = "FILE", description = "also write the JSON report to FILE")
    Path output;

    @Option(
            names = "--only",
            paramLabel = "PROBES",
            split = ",",
            description = "run only these probes (names as the progress bar shows them)")
    Set<String> only;

    @Option(
            names = "--cc",
            paramLabel = "CC",
            description = "the C compiler for the floors (default: ${DEFAULT-VALUE})")
    String cc = "cc";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (pin != null && System.getenv(PINNED) == null) {
            return repin();
        }
        if (rounds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be at least 1");
        }
        BenchContext.Sizes sizes = iterations != null
                ? BenchContext.Sizes.scaled(iterations)
                : quick ? BenchContext.Sizes.quick() : BenchContext.Sizes.full();
        java.io.PrintWriter out = spec.commandLine().getOut();
        Harness.Progress progress = new Harness.Progress(System.err, System.console() != null);
        Report report = run(sizes, rounds, only, cc, progress);
        ObjectNode j = report.json();
        if (json) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(j));
        } else {
            report.printTable(out);
        }
        out.flush();
        if (output != null) {
            write(output, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(j) + "\n");
        }
        if (html != null) {
            write(html, PercentileChart.html(report));
            if (!json) {
                out.println("wrote " + html);
            }
        }
        return 0;
    }

    /** Runs the probes (all, or those named) for {@code rounds} rounds against a hub of its own. */
    static Report run(BenchContext.Sizes sizes, int rounds, Set<String> only, String cc, Harness.Progress progress)
            throws Exception {
        List<Probe> probes = Probes.all().stream()
                .filter(p -> only == null || only.isEmpty() || only.contains(p.name()))
                .collect(Collectors.toList());
        if (only != null) {
            Set<String> known = Probes.all().stream().map(Probe::name).collect(Collectors.toSet());
            List<String> unknown =
                    only.stream().filter(n -> !known.contains(n)).sorted().toList();
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("unknown probe(s) " + unknown + "; known: "
                        + Probes.all().stream().map(Probe::name).toList());
            }
        }
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awbench");
        try {
            Path binary = CFloor.compile(cc, dir);
            Optional<Nats> nats = Nats.start();
            AgentwireHub hub;
            try {
                hub = BenchContext.benchHub(dir);
            } catch (RuntimeException e) {
                if (nats.isPresent()) {
                    nats.get().close();
                }
                throw e;
            }
            try (BenchContext context = new BenchContext(hub, dir, binary, nats, sizes)) {
                Map<String, List<Measure>> measures = new Harness(probes, rounds, progress).run(context);
                return new Report(measures, Probes.figures(), rounds, machine(sizes));
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Removes the run's scratch directory (sockets, databases, the compiled floors). */
    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            System.err.println("bench: could not remove " + dir + ": " + e.getMessage());
        }
    }

    /** Starts this command again under {@code taskset -c CPU} and waits for it. */
    private int repin() throws Exception {
        List<String> command = new ArrayList<>(List.of("taskset", "-c", pin));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchCommand.class.getName()));
        command.addAll(spec.commandLine().getParseResult().originalArgs().stream()
                .filter(a -> !a.equals("bench"))
                .toList());
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put(PINNED, pin);
        return pb.start().waitFor();
    }

    private static void write(Path file, String text) throws java.io.IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text);
    }

    /** CPUs, their affinity, the JVM and the date: what a table in BENCHMARKS.md must say it was measured on. */
    static String machine(BenchContext.Sizes sizes) {
        return String.format(
                Locale.ROOT,
                "%d vCPUs (%s), %s %s, %s; %d round trips per latency subject, %d messages per fan-out",
                Runtime.getRuntime().availableProcessors(),
                affinity(),
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Instant.now().truncatedTo(ChronoUnit.MINUTES),
                sizes.iterations(),
                sizes.messages());
    }

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
