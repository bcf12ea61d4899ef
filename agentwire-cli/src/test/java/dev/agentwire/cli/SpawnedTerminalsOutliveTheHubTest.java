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
        try (AgentwireClient c = client()) {
            ObjectNode spawn = Json.mapper().createObjectNode().put("cols", 100).put("rows", 30);
            spawn.putArray("command").add("bash").add("--norc").add("--noprofile");
            spawn.putObject("env").put("PS1", "$ ");
            JsonNode t = call(c, "terminals/spawn", spawn);
            id = t.path("id").asText();
            assertThat(t.path("status").asText()).isEqualTo("running");
            assertThat(forwarders(id)).as("a forwarder process of its own").hasSize(1);
            call(
                    c,
                    "terminals/input",
                    Json.mapper().createObjectNode().put("id", id).put("text", "echo before-$((6*7))\r"));
            call(
                    c,
                    "terminals/wait",
                    Json.mapper().createObjectNode().put("id", id).put("pattern", "(?m)^before-42$"));
        }

        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: the hub says goodbye to nobody
        assertThat(forwarders(id)).as("the forwarder outlives the hub").hasSize(1);

        hub(2);
        try (AgentwireClient c = client()) {
            await().atMost(WAIT)
                    .until(() -> terminal(c) != null
                            && terminal(c).path("status").asText().equals("running"));
            assertThat(terminal(c).path("cols").asInt()).isEqualTo(100);
            assertThat(terminal(c).path("rows").asInt()).isEqualTo(30);
            JsonNode screen =
                    call(c, "terminals/read", Json.mapper().createObjectNode().put("id", id));
            assertThat(screen.toString()).as("the screen rebuilt").contains("before-42");
            call(
                    c,
                    "terminals/input",
                    Json.mapper().createObjectNode().put("id", id).put("text", "echo after-$((6*7))\r"));
            call(
                    c,
                    "terminals/wait",
                    Json.mapper().createObjectNode().put("id", id).put("pattern", "(?m)^after-42$"));

            // Interactive bash ignores SIGTERM, the default.
            call(
                    c,
                    "terminals/kill",
                    Json.mapper().createObjectNode().put("id", id).put("signal", 9));
            await().atMost(WAIT).until(() -> terminal(c).path("status").asText().equals("exited"));
            await().atMost(WAIT).until(() -> forwarders(id).isEmpty());
        }
    }
}
