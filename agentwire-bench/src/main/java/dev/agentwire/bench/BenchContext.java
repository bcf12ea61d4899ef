package dev.agentwire.bench;

import dev.agentwire.server.AgentwireHub;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What every probe of one harness run shares: the hub under test (in this process, no rate limits), a scratch
 * directory, the compiled C floors, the nats-server baseline if installed, and how much each probe does.
 */
final class BenchContext implements AutoCloseable {

    final AgentwireHub hub;
    final Path dir;
    final Path cBinary;
    final Optional<Nats> nats;
    final Sizes sizes;

    /**
     * How much each probe does in one round.
     *
     * @param iterations sequential round trips of a latency subject
     * @param warmup untimed round trips before them
     * @param messages publishes of a fan-out and of the acknowledged-publish load
     * @param requestsPerCaller requests each of the 50 service callers makes
     * @param terminalMegabytes output of the terminal probe
     * @param commandRuns runs of each whole command (aw status, a JVM printing hi)
     */
    record Sizes(
            int iterations, int warmup, int messages, int requestsPerCaller, int terminalMegabytes, int commandRuns) {

        static Sizes full() {
            return new Sizes(10_000, 10_000, 20_000, 200, 16, 3);
        }

        static Sizes quick() {
            return new Sizes(2_000, 2_000, 4_000, 40, 4, 1);
        }

        /** The full sizes with {@code iterations} round trips (and everything else in proportion). */
        static Sizes scaled(int iterations) {
            return new Sizes(
                    iterations,
                    iterations,
                    Math.max(200, iterations * 2),
                    Math.max(10, iterations / 50),
                    Math.max(2, iterations / 1000),
                    iterations >= 5_000 ? 3 : 1);
        }
    }

    BenchContext(AgentwireHub hub, Path dir, Path cBinary, Optional<Nats> nats, Sizes sizes) {
        this.hub = hub;
        this.dir = dir;
        this.cBinary = cBinary;
        this.nats = nats;
        this.sizes = sizes;
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

    @Override
    public void close() throws Exception {
        try {
            hub.close();
        } finally {
            if (nats.isPresent()) {
                nats.get().close();
            }
        }
    }
}
