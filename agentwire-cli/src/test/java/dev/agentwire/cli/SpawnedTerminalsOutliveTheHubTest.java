package dev.agentwire.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A terminal that {@code aw hub} spawns runs under a detached forwarder of its own: the hub is killed with
 * SIGKILL, a new hub starts on the same home, finds the terminal again, rebuilds its screen, and the terminal is read
 * and typed into as before.
 */
class SpawnedTerminalsOutliveTheHubTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final List<Process> hubs = new ArrayList<>();
    private Path home;
    private String id;

    private Process hub(int n) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(AwRunner.processCommand("hub", "--port", "0"));
        pb.environment().put("AGENTWIRE_HOME", home.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(home.resolveSibling("hub-" + n + ".log").toFile());
        Process p = pb.start();
        hubs.add(p);
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            try (AgentwireClient c = client()) {
                return c.request("hub/status").get(5, TimeUnit.SECONDS) != null;
            }
        });
        return p;
    }

    private AgentwireClient client() {
        return AgentwireClient.builder()
                .endpoint("unix:" + home.resolve("hub.sock"))
                .reconnect(false)
                .connect();
    }

    private static JsonNode call(AgentwireClient c, String method, ObjectNode params) throws Exception {
        return c.request(method, params).get(60, TimeUnit.SECONDS);
    }

    private JsonNode terminal(AgentwireClient c) throws Exception {
        for (JsonNode t :
                call(c, "terminals/list", Json.mapper().createObjectNode()).path("terminals")) {
            if (t.path("id").asText().equals(id)) {
                return t;
            }
        }
        return null;
    }

    /** The processes with {@code id} among their arguments (read from /proc: the JDK gives up on long ones). */
    private static List<ProcessHandle> forwarders(String id) {
        return ProcessHandle.allProcesses()
                .filter(p -> {
                    try {
                        byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                        return List.of(new String(cmdline, java.nio.charset.StandardCharsets.UTF_8).split("\u0000"))
                                .contains(id);
                    } catch (java.io.IOException e) {
                        return false;
                    }
                })
                .toList();
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : hubs) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (id != null) {
            forwarders(id).forEach(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
    }

    @Test
    void aSpawnedTerminalSurvivesKillDashNineOfTheHubAndIsDrivenAfterTheRestart() throws Exception {
        home = Files.createTempDirectory(Path.of("/tmp"), "awfwd").resolve("home");
        Process first = hub(1);
        IpcSockViewer viewer;
        try (AgentwireClient c = client()) {
            ObjectNode spawn = Json.mapper().createObjectNode().put("cols", 100).put("rows", 30);
            spawn.putArray("command").add("bash").add("--norc").add("--noprofile");
            spawn.putObject("env").put("PS1", "$ ");
            JsonNode t = call(c, "terminals/spawn", spawn);
            id = t.path("id").asText();
            assertThat(t.path("status").asText()).isEqualTo("running");
            assertThat(forwarders(id)).as("a forwarder process of its own").hasSize(1);
            viewer = IpcSockViewer.connect(ipcSock());
            assertThat(viewer.until(0x05, id)).as("SessionInfo first").contains("\"cols\":100");
            call(
                    c,
                    "terminals/input",
                    Json.mapper().createObjectNode().put("id", id).put("text", "echo before-$((6*7))\r"));
            call(
                    c,
                    "terminals/wait",
                    Json.mapper().createObjectNode().put("id", id).put("pattern", "(?m)^before-42$"));
        }

        viewer.until(0x04, "before-42");
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: the hub says goodbye to nobody
        assertThat(forwarders(id)).as("the forwarder outlives the hub").hasSize(1);
        // The forwarder owns ipc.sock: its viewer stays connected and drives the terminal while no hub runs.
        viewer.send(0x01, "echo during-$((6*7))\r");
        viewer.until(0x04, "during-42\r\n");
        viewer.send(0x07, "still-there");
        assertThat(viewer.until(0x07, "still-there")).isEqualTo("still-there");
        // Resized with no hub: only the forwarder can record it, and the next hub is told the size.
        viewer.send(0x02, "{\"cmd\":\"resize\",\"cols\":95,\"rows\":28}");
        assertThat(viewer.until(0x03, "\"cols\"")).contains("\"cols\":95");

        hub(2);
        try (AgentwireClient c = client()) {
            await().atMost(WAIT)
                    .until(() -> terminal(c) != null
                            && terminal(c).path("status").asText().equals("running"));
            assertThat(terminal(c).path("cols").asInt()).isEqualTo(95);
            assertThat(terminal(c).path("rows").asInt()).isEqualTo(28);
            JsonNode screen =
                    call(c, "terminals/read", Json.mapper().createObjectNode().put("id", id));
            assertThat(screen.toString())
                    .as("the screen rebuilt")
                    .contains("before-42")
                    .contains("during-42");
            call(
                    c,
                    "terminals/input",
                    Json.mapper().createObjectNode().put("id", id).put("text", "echo after-$((6*7))\r"));
            call(
                    c,
                    "terminals/wait",
                    Json.mapper().createObjectNode().put("id", id).put("pattern", "(?m)^after-42$"));
            viewer.until(0x04, "after-42\r\n");
            // A resize from the viewer reaches the new hub.
            viewer.send(0x02, "{\"cmd\":\"resize\",\"cols\":90,\"rows\":25}");
            assertThat(viewer.until(0x03, "\"cols\"")).contains("\"cols\":90");
            await().atMost(WAIT).until(() -> terminal(c).path("cols").asInt() == 90);
            // A viewer that connects now gets the output from before the restart first.
            try (IpcSockViewer late = IpcSockViewer.connect(ipcSock())) {
                late.until(0x05, id);
                late.until(0x04, "before-42");
            }

            // Interactive bash ignores SIGTERM, the default.
            call(
                    c,
                    "terminals/kill",
                    Json.mapper().createObjectNode().put("id", id).put("signal", 9));
            await().atMost(WAIT).until(() -> terminal(c).path("status").asText().equals("exited"));
            await().atMost(WAIT).until(() -> forwarders(id).isEmpty());
        }
        assertThat(viewer.until(0x03, "exited")).contains("\"exitCode\"");
        viewer.close();
        assertThat(ipcSock()).as("ipc.sock removed with its forwarder").doesNotExist();
        // One recording from the start to the end, across the restart: one header, every line in order.
        List<String> cast =
                Files.readAllLines(home.resolve("control").resolve(id).resolve("output.cast"));
        assertThat(cast.stream().filter(l -> l.contains("\"version\":2"))).hasSize(1);
        assertThat(cast.get(0)).contains("\"width\":100");
        String events = String.join("\n", cast);
        assertThat(events)
                .containsSubsequence("before-42", "during-42", "\"r\", \"95x28\"", "after-42", "\"r\", \"90x25\"");
    }

    private Path ipcSock() {
        return home.resolve("control").resolve(id).resolve("ipc.sock");
    }
}
