package dev.agentwire.bench;

import dev.agentwire.core.rooms.RoomService;
import dev.agentwire.server.AgentwireHub;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Durable room publishes against their floor, in alternating rounds: each round measures the hub's acknowledged
 * publishes per second with {@code publishers} pipelining publishers ({@link RoomsBench#acked}), reads the group
 * commits' mean size from the hub, then has {@link JdbcFloor} write the same number of messages in batches of
 * that size with plain JDBC, and takes the ratio.
 *
 * <pre>
 *   java -cp agentwire-bench/target/bench.jar dev.agentwire.bench.DurableBench [--rounds 7] [--messages 40000]
 *       [--publishers 16] [--dir /tmp]
 * </pre>
 */
public final class DurableBench {

    /** The sender the hub records for a publisher on the Unix socket run as root; the floor writes the same. */
    private static final String SENDER = "uid:0";

    private DurableBench() {}

    /** One round: the hub's rate, the mean group commit it formed, and the floor's rate with that batch size. */
    public record Round(
            double hubPerSecond,
            double meanBatch,
            double floorPerSecond,
            double sequencerMicrosPerMessage,
            double floorMicrosPerMessage) {
        public double ratio() {
            return hubPerSecond / floorPerSecond;
        }

        /** The floor's CPU time per message ÷ the rooms sequencer's: a ratio a busy machine moves less. */
        public double cpuRatio() {
            return floorMicrosPerMessage / sequencerMicrosPerMessage;
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = 7;
        int messages = 40_000;
        int publishers = 16;
        Path under = Path.of("/tmp");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--publishers" -> publishers = Integer.parseInt(args[++i]);
                case "--dir" -> under = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: DurableBench [--rounds N] [--messages N] [--publishers N] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        run(under, rounds, messages, publishers, System.out);
    }

    /**
     * Runs a warm-up round and {@code rounds} measured ones, the hub's home and the floor's database in a new
     * directory under {@code under}; prints each round and the median ratio; returns the rounds. Under a tmpfs
     * ({@code /dev/shm}) fsync costs nothing and the ratio is the per-message work alone.
     */
    public static List<Round> run(Path under, int rounds, int messages, int publishers, PrintStream out)
            throws Exception {
        Path dir = Files.createTempDirectory(under, "awdurable");
        List<Round> measured = new ArrayList<>();
        try (AgentwireHub hub = BenchContext.benchHub(dir);
                JdbcFloor floor = JdbcFloor.open(dir.resolve("floor.db"))) {
            round(hub, floor, publishers, Math.max(publishers, messages / 4));
            out.printf(
                    Locale.ROOT,
                    "%-6s %12s %11s %13s %7s %14s %13s %9s%n",
                    "round",
                    "hub acked/s",
                    "mean batch",
                    "jdbc floor/s",
                    "ratio",
                    "sequencer µs/m",
                    "floor µs/m",
                    "cpu ratio");
            for (int r = 1; r <= rounds; r++) {
                Round x = round(hub, floor, publishers, messages);
                measured.add(x);
                out.printf(
                        Locale.ROOT,
                        "%-6d %12.0f %11.1f %13.0f %6.2fx %14.2f %13.2f %8.2fx%n",
                        r,
                        x.hubPerSecond(),
                        x.meanBatch(),
                        x.floorPerSecond(),
                        x.ratio(),
                        x.sequencerMicrosPerMessage(),
                        x.floorMicrosPerMessage(),
                        x.cpuRatio());
            }
        }
        summary(out, "hub ÷ floor, messages/s", measured.stream().mapToDouble(Round::ratio));
        summary(out, "floor ÷ sequencer, CPU per message", measured.stream().mapToDouble(Round::cpuRatio));
        return measured;
    }

    private static void summary(PrintStream out, String what, java.util.stream.DoubleStream values) {
        double[] v = values.sorted().toArray();
        out.printf(Locale.ROOT, "%s: median %.2fx (%.2fx-%.2fx)%n", what, v[v.length / 2], v[0], v[v.length - 1]);
    }

    /** One round on {@code hub}, then on {@code floor} with the batch size the hub formed. */
    static Round round(AgentwireHub hub, JdbcFloor floor, int publishers, int messages) throws Exception {
        RoomService rooms = hub.core().require(RoomService.class);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sequencer = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("aw-rooms"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no aw-rooms thread"))
                .getId();
        RoomService.Commits before = rooms.commits();
        long cpu0 = threads.getThreadCpuTime(sequencer);
        double acked = RoomsBench.acked(hub, publishers, messages);
        long cpu1 = threads.getThreadCpuTime(sequencer);
        RoomService.Commits after = rooms.commits();
        long committed = after.messages() - before.messages();
        double mean = (double) committed / Math.max(1, after.batches() - before.batches());
        int sent = messages / publishers * publishers;
        long floor0 = threads.getCurrentThreadCpuTime();
        double jdbc = floor.write(sent, (int) Math.max(1, Math.round(mean)), publishers, SENDER, RoomsBench.PAYLOAD);
        long floor1 = threads.getCurrentThreadCpuTime();
        return new Round(acked, mean, jdbc, (cpu1 - cpu0) / 1e3 / committed, (floor1 - floor0) / 1e3 / sent);
    }
}
