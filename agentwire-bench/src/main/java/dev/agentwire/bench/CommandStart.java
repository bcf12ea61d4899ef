package dev.agentwire.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;

/**
 * The wall time of {@code aw status} against the bench's hub, run the way a user runs it (the {@code ./aw}
 * launcher of a source checkout, else {@code java -jar aw.jar}), against a JVM that prints "hi" and exits, in
 * alternating runs.
 */
final class CommandStart {

    private CommandStart() {}

    static List<Measure> measure(BenchContext c) throws Exception {
        Optional<List<String>> aw = awCommand();
        Optional<Path> hi = hiClass(c.dir);
        if (aw.isEmpty() || hi.isEmpty()) {
            return List.of();
        }
        List<String> status = new ArrayList<>(aw.get());
        status.addAll(List.of("status", "-c", c.hub.endpoint()));
        List<String> jvm = List.of(java(), "-cp", hi.get().toString(), "Hi");
        run(status); // the first run may build a CDS archive or warm the page cache: not counted
        run(jvm);
        long[] a = new long[c.sizes.commandRuns()];
        long[] b = new long[c.sizes.commandRuns()];
        for (int i = 0; i < a.length; i++) {
            a[i] = run(status);
            b[i] = run(jvm);
        }
        return List.of(
                new Measure("aw-status", median(a), Measure.Unit.WALL_NANOS, null),
                new Measure("jvm-hi", median(b), Measure.Unit.WALL_NANOS, null));
    }

    /** The {@code ./aw} launcher beside the working directory's checkout, or the CLI jar, or nothing. */
    static Optional<List<String>> awCommand() {
        String property = System.getProperty("bench.aw");
        if (property != null) {
            return Optional.of(List.of(property));
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path launcher = d.resolve("aw");
            if (Files.isExecutable(launcher) && Files.isDirectory(d.resolve("agentwire-cli"))) {
                return Optional.of(List.of(launcher.toString()));
            }
        }
        return ownJar().filter(CommandStart::hasCli)
                .map(jar -> List.of(java(), "-cp", jar.toString(), "dev.agentwire.cli.Aw"));
    }

    private static Optional<Path> ownJar() {
        try {
            Path p = Path.of(CommandStart.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static boolean hasCli(Path jar) {
        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
            return zip.getEntry("dev/agentwire/cli/Aw.class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** Compiles a class that prints "hi" into {@code dir}; empty without a compiler (a JRE). */
    private static Optional<Path> hiClass(Path dir) throws IOException {
        Path classes = dir.resolve("hi");
        if (Files.exists(classes.resolve("Hi.class"))) {
            return Optional.of(classes);
        }
        var compiler = ToolProvider.getSystemJavaCompiler();
        if (compiler == null) {
            return Optional.empty();
        }
        Files.createDirectories(classes);
        Path source = classes.resolve("Hi.java");
        Files.writeString(
                source, "public class Hi { public static void main(String[] a) { System.out.println(\"hi\"); } }\n");
        int rc = compiler.run(null, null, null, "-d", classes.toString(), source.toString());
        return rc == 0 ? Optional.of(classes) : Optional.empty();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a command to its end; returns its wall time, or fails with what it printed. */
    private static long run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("AW_JAVA_OPTS");
        long t0 = System.nanoTime();
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
        }
        long wall = System.nanoTime() - t0;
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": "
                    + new String(out, java.nio.charset.StandardCharsets.UTF_8));
        }
        return wall;
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
