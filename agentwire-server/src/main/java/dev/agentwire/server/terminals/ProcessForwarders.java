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
 * Runs each spawned terminal under a forwarder process of its own ({@code aw run --detached}): started in a new
 * session ({@code setsid}, when the system has it) with no terminal and its output in the terminal's
 * {@code forwarder.log}, so neither the hub's end nor a Ctrl-C at the hub's terminal reaches it. Thread safe.
 */
public final class ProcessForwarders implements TerminalForwarders {

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final List<String> launch;
    private final Supplier<String> hubEndpoint;

    /**
     * @param launch the forwarder's command up to its options, e.g. {@code java -cp aw.jar dev.agentwire.cli.Aw run
     *     --detached}
     * @param hubEndpoint where the forwarder reaches the hub ({@code unix:/path})
     */
    public ProcessForwarders(List<String> launch, Supplier<String> hubEndpoint) {
        this.launch = List.copyOf(launch);
        this.hubEndpoint = hubEndpoint;
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
                "--connect", hubEndpoint.get()));
        name.ifPresent(n -> cmd.addAll(List.of("--name", n)));
        cmd.add("--");
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File(cwd));
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve("forwarder.log").toFile()));
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
