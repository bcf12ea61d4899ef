package dev.agentwire.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The C floors of this machine ({@code uds_bench.c}, compiled with the system C compiler): a ping-pong to an echo
 * process, the same through a relay process (two hops), and a C client against a server already listening.
 */
final class CFloor {

    /** The program's modes. */
    enum Mode {
        PINGPONG,
        RELAY,
        CLIENT
    }

    private CFloor() {}

    /** Compiles the C program into {@code dir}; fails with the compiler's output. */
    static Path compile(String cc, Path dir) throws IOException, InterruptedException {
        Path source = dir.resolve("uds_bench.c");
        try (InputStream in = CFloor.class.getResourceAsStream("/bench/uds_bench.c")) {
            if (in == null) {
                throw new IllegalStateException("uds_bench.c is missing from the bench jar");
            }
            Files.copy(in, source);
        }
        Path binary = dir.resolve("uds_bench");
        Process p = new ProcessBuilder(cc, "-O2", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(cc + " failed to compile uds_bench.c:\n" + out);
        }
        return binary;
    }

    /** The one-hop floor: a socket path for the echo process. */
    static Stats run(Path binary, Path socket, int iterations, int warmup) throws IOException, InterruptedException {
        return run(binary, Mode.PINGPONG, socket, iterations, warmup);
    }

    /**
     * Runs one mode: {@code target} is the echo socket ({@link Mode#PINGPONG}), a directory for the two sockets
     * ({@link Mode#RELAY}) or the socket of a server already listening ({@link Mode#CLIENT}).
     */
    static Stats run(Path binary, Mode mode, Path target, int iterations, int warmup)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(
                        binary.toString(),
                        mode.name().toLowerCase(java.util.Locale.ROOT),
                        target.toString(),
                        Integer.toString(iterations),
                        Integer.toString(warmup)))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        java.util.concurrent.CompletableFuture<byte[]> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("uds_bench " + mode + " did not finish in 300 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("uds_bench " + mode + " failed (exit " + p.exitValue() + ")");
        }
        byte[] out;
        try {
            out = read.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("reading uds_bench's samples failed", e);
        }
        if (out.length != 8L * (iterations + 1)) {
            throw new IllegalStateException(
                    "uds_bench " + mode + " wrote " + out.length + " bytes for " + iterations + " samples");
        }
        ByteBuffer samples = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        long total = samples.getLong();
        Histogram h = Stats.newHistogram();
        while (samples.hasRemaining()) {
            Stats.record(h, samples.getLong());
        }
        return Stats.of(h, total);
    }
}
