package dev.agentwire.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Compiles {@code uds_pingpong.c} with the system C compiler and runs it: the floor of this machine. */
final class CFloor {

    private CFloor() {}

    /** Compiles the C program into {@code dir}; fails with the compiler's output. */
    static Path compile(String cc, Path dir) throws IOException, InterruptedException {
        Path source = dir.resolve("uds_pingpong.c");
        try (InputStream in = CFloor.class.getResourceAsStream("/bench/uds_pingpong.c")) {
            if (in == null) {
                throw new IllegalStateException("uds_pingpong.c is missing from the bench jar");
            }
            Files.copy(in, source);
        }
        Path binary = dir.resolve("uds_pingpong");
        Process p = new ProcessBuilder(cc, "-O2", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(cc + " failed to compile uds_pingpong.c:\n" + out);
        }
        return binary;
    }

    static Stats run(Path binary, Path socket, int iterations, int warmup) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(
                        binary.toString(), socket.toString(), Integer.toString(iterations), Integer.toString(warmup)))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("uds_pingpong failed: " + out);
        }
        JsonNode j = Json.mapper().readTree(out);
        return new Stats(
                j.path("p50Nanos").asLong(),
                j.path("p99Nanos").asLong(),
                j.path("p999Nanos").asLong(),
                j.path("roundTripsPerSecond").asDouble());
    }
}
