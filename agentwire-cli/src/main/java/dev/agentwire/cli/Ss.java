package dev.agentwire.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2's {@code ss}, which reads the kernel's socket diagnostics over netlink (buffer memory, TCP info,
 * timers, a Unix listener's backlog: what /proc/net does not show), and returns its lines. Each run has a deadline
 * of {@value #DEADLINE_SECONDS} s. Stateless.
 */
final class Ss {

    static final int DEADLINE_SECONDS = 10;

    private Ss() {}

    /** The {@code ss} on the PATH (or /usr/sbin, /sbin, /usr/bin, /bin), if there is one. */
    static Optional<Path> find() {
        List<String> dirs =
                new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream()
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, "ss"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** {@code ss ARGS}' output lines; empty when there is no {@code ss}. */
    static Optional<List<String>> run(String... args) throws IOException {
        Optional<Path> ss = find();
        if (ss.isEmpty()) {
            return Optional.empty();
        }
        List<String> command = new ArrayList<>();
        command.add(ss.get().toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("aw-ss", ".txt");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectOutput(out.toFile())
                    .start();
            p.getOutputStream().close();
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ss " + String.join(" ", args) + " did not finish in " + DEADLINE_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("ss " + String.join(" ", args) + " failed (exit " + p.exitValue() + ")");
            }
            return Optional.of(Files.readAllLines(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while ss ran", e);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
