package dev.agentwire.cli;

import dev.agentwire.server.AgentwireHub;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run behind the build's class-data archive ({@code target/aw.jsa}): runs aw's common command
 * lines in one JVM so that {@code -XX:DumpLoadedClassList} lists the classes they load; {@code -Xshare:dump}
 * then archives them, and {@code ./aw} maps the archive, so those classes are neither parsed nor verified again
 * at each start.
 *
 * <p>It runs {@code aw --help} (every command's options), the reading commands against a hub it starts in a
 * temporary home (no TCP port), and {@code aw status} where no hub is. What they print is thrown away. A step
 * that fails is skipped: the archive is then smaller, never wrong, so the run always exits 0.
 *
 * <p>Its one argument is a file to write this JVM's {@code java.home} and {@code java.runtime.version} to, one a
 * line: {@code ./aw} passes the archive only to that JVM, because another JVM given it starts with no class
 * sharing at all.
 */
final class Training {

    private Training() {}

    public static void main(String[] args) throws IOException {
        Files.writeString(
                Path.of(args[0]),
                System.getProperty("java.home") + "\n" + System.getProperty("java.runtime.version") + "\n");
        PrintWriter none = new PrintWriter(OutputStream.nullOutputStream(), true);
        Path dir = Files.createTempDirectory("aw-training");
        try {
            Aw.run(none, none, "--help");
            Aw.run(none, none, "status", "--connect", "unix:" + dir.resolve("no-hub.sock"));
            withHub(dir.resolve("home"), none);
        } catch (RuntimeException e) {
            System.err.println("aw training: " + e + " (the archive leaves those classes out)");
        } finally {
            delete(dir);
        }
        System.exit(0);
    }

    private static void withHub(Path home, PrintWriter none) {
        try (AgentwireHub hub = AgentwireHub.builder()
                .home(home)
                .set("clientPort", "-1")
                .build()
                .start()) {
            String at = hub.endpoint();
            for (List<String> line : List.of(
                    List.of("status"),
                    List.of("status", "--json"),
                    List.of("ping", "-n", "3"),
                    List.of("sessions"),
                    List.of("rooms"),
                    List.of("services"),
                    List.of("cluster"))) {
                String[] withEndpoint =
                        Stream.concat(line.stream(), Stream.of("--connect", at)).toArray(String[]::new);
                Aw.run(none, none, withEndpoint);
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
