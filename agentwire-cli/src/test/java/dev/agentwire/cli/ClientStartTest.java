package dev.agentwire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.server.AgentwireHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a client command's JVM loads: {@code aw status} and {@code aw ping}, each its own process with
 * {@code -Xlog:class+load}, against a real hub, load neither the hub, nor the core, nor the other commands, nor
 * Netty's JFR events (docs/BENCHMARKS.md, CLI start). Checked by the classes loaded, never by a timing.
 */
class ClientStartTest {

    private Path dir;
    private AgentwireHub hub;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "awstart");
        hub = AgentwireHub.builder()
                .home(dir.resolve("home"))
                .set("clientPort", "-1")
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void statusLoadsOnlyTheClientAndItsOwnCommand() throws Exception {
        List<String> classes = classesLoadedBy("status", "--timeout", "60s", "--connect", hub.endpoint());
        assertThat(classes).contains("dev.agentwire.cli.StatusCommand", "dev.agentwire.client.AgentwireClient");
        assertOnlyClientSide(classes, "StatusCommand");
    }

    @Test
    void pingLoadsOnlyTheClientAndItsOwnCommand() throws Exception {
        List<String> classes = classesLoadedBy("ping", "-n", "2", "--timeout", "60s", "--connect", hub.endpoint());
        assertThat(classes).contains("dev.agentwire.cli.PingCommand");
        assertOnlyClientSide(classes, "PingCommand");
    }

    private static void assertOnlyClientSide(List<String> classes, String command) {
        assertThat(classes)
                .as("hub and core classes in a client command")
                .noneMatch(c -> c.startsWith("dev.agentwire.server.") || c.startsWith("dev.agentwire.core."));
        assertThat(classes)
                .as("other commands' classes")
                .filteredOn(c -> c.startsWith("dev.agentwire.cli.") && c.contains("Command"))
                .allMatch(c -> c.startsWith("dev.agentwire.cli." + command), "is " + command + " or its part");
        assertThat(classes)
                .as("Netty's buffer events and the JFR machinery they start")
                .noneMatch(c -> (c.startsWith("io.netty.buffer.") && c.endsWith("Event"))
                        || c.equals("jdk.jfr.internal.EventWriter"));
    }

    /** Runs {@code aw args} as its own process and returns the classes its JVM loaded, by name. */
    private List<String> classesLoadedBy(String... args) throws Exception {
        Path log = dir.resolve("classes-" + args[0] + ".log");
        List<String> cmd = new ArrayList<>(AwRunner.processCommand(args));
        cmd.add(1, "-Xlog:class+load=info:file=" + log);
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out-" + args[0] + ".txt").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS))
                .as("aw " + args[0] + " ends")
                .isTrue();
        assertThat(p.exitValue())
                .as(
                        "aw %s exit code; it printed: %s",
                        args[0], Files.readString(dir.resolve("out-" + args[0] + ".txt")))
                .isZero();
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("[class,load] ");
            if (at >= 0) {
                String rest = line.substring(at + "[class,load] ".length());
                names.add(rest.substring(0, rest.indexOf(' ')));
            }
        }
        return names;
    }
}
