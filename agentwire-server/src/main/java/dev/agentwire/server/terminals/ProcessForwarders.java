package dev.agentwire.server.terminals;

import dev.agentwire.core.terminals.TerminalForwarders;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs each spawned terminal under a forwarder process of its own ({@link Forwarder}): started in a new
 * session ({@code setsid}, when the system has it) with no terminal and its output in the terminal's
 * {@code forwarder.log}, so neither the hub's end nor a Ctrl-C at the hub's terminal reaches it. Thread safe.
 */
public final class ProcessForwarders implements TerminalForwarders {

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final List<String> launch;
    private final Supplier<String> hubEndpoint;

    /**
     * @param launch the forwarder's command up to its options ({@link #javaLaunch})
     * @param hubEndpoint where the forwarder reaches the hub ({@code unix:/path})
     */
    public ProcessForwarders(List<String> launch, Supplier<String> hubEndpoint) {
        this.launch = List.copyOf(launch);
        this.hubEndpoint = hubEndpoint;
    }

    /**
     * The forwarder's JVM options: one PTY and one connection need little. The JDK's class-data archive is mapped
     * where it was made, so its pages stay shared between forwarders (the flag is diagnostic, and ignored by a JVM
     * that does not know it); the hub's own archive is not given: it holds the CLI's classes and would cost each
     * forwarder 30 MB (docs/BENCHMARKS.md, "Terminal forwarders").
     */
    static final List<String> JVM_OPTIONS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:ArchiveRelocationMode=0",
            "-Xms2m",
            "-Xmx32m",
            "-Xss256k",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1",
            "-XX:ReservedCodeCacheSize=4m",
            "-XX:MaxMetaspaceSize=32m",
            "-XX:MinHeapFreeRatio=5",
            "-XX:MaxHeapFreeRatio=20",
            "-XX:-UsePerfData");

    /** {@code java [options] -cp <this JVM's class path> }{@link Forwarder}: on the JVM this hub runs on. */
    public static List<String> javaLaunch() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM_OPTIONS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Forwarder.class.getName());
        return cmd;
    }

    /** Variables a JVM takes options from: they are the command's, so its forwarder gets them under another name. */
    static final List<String> JVM_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS");

    private static final String HELD = "AGENTWIRE_HELD_";

    /** The forwarder's environment: the command's, with the JVM's own variables held aside. */
    static Map<String, String> forwarderEnvironment(Map<String, String> command) {
        Map<String, String> env = new java.util.HashMap<>(command);
        for (String v : JVM_VARIABLES) {
            String value = env.remove(v);
            if (value != null) {
                env.put(HELD + v, value);
            }
        }
        return env;
    }

    /** The command's environment again, in its forwarder: the held variables back, the forwarder's secret out. */
    static Map<String, String> childEnvironment(Map<String, String> forwarder) {
        Map<String, String> env = new java.util.HashMap<>(forwarder);
        env.remove(dev.agentwire.core.terminals.TerminalService.SECRET_ENV);
        for (String v : JVM_VARIABLES) {
            String value = env.remove(HELD + v);
            if (value != null) {
                env.put(v, value);
            }
        }
        return env;
    }

    @Override
    public Started start(
            String id,
            List<String> command,
            String cwd,
            Map<String, String> env,
            int cols,
            int rows,
            Optional<String> name,
            Path dir)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            cmd.add(SETSID.toString());
        }
        cmd.addAll(launch);
        cmd.addAll(List.of(
                "--id", id,
                "--cols", Integer.toString(cols),
                "--rows", Integer.toString(rows),
                "--cwd", cwd,
                "--connect", hubEndpoint.get(),
                "--dir", dir.toAbsolutePath().toString()));
        name.ifPresent(n -> cmd.addAll(List.of("--name", n)));
        cmd.add("--");
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File(cwd));
        pb.environment().clear();
        pb.environment().putAll(forwarderEnvironment(env));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        Path log = dir.resolve("forwarder.log");
        if (Files.isSymbolicLink(log)) {
            throw new IOException(log + " is a symbolic link");
        }
        if (!Files.exists(log)) {
            Files.createFile(
                    log,
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        }
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        return new Started() {
            @Override
            public void abandon() {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }

            @Override
            public void onExit(Runnable then) {
                p.onExit().thenRun(then);
            }
        };
    }
}
