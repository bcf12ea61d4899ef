package dev.agentwire.server.terminals;

import static dev.agentwire.server.testing.RpcFailures.rpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the hub gives a spawned terminal's forwarder ({@code AgentwireHub.Builder.terminalForwarder}), and what a
 * spawn answers when the forwarder cannot start or ends without registering. The real forwarder, across a hub
 * restart, is agentwire-cli's SpawnedTerminalsOutliveTheHubTest.
 */
class TerminalForwardersTest {

    private AgentwireHub hub;
    private AgentwireClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private void start(List<String> forwarder) throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.terminalForwarder(forwarder));
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
    }

    private ObjectNode spawn() {
        ObjectNode p = Json.mapper().createObjectNode().put("cols", 100).put("rows", 30);
        p.putArray("command").add("sh").add("-c").add("echo hi");
        p.putObject("env").put("AW_TEST_MARK", "marked");
        return p;
    }

    @Test
    void theForwarderIsToldTheTerminalAndRunsWithItsEnvironment() throws Exception {
        Path seen = Files.createTempFile("forwarder", ".txt");
        // A stand-in forwarder: it writes what it was given, then ends without registering.
        start(List.of(
                "/bin/sh",
                "-c",
                "{ printf '%s\\n' \"$@\"; echo \"id=$AGENTWIRE_TERMINAL_ID mark=$AW_TEST_MARK\"; } > " + seen
                        + "; exit 3",
                "forwarder"));
        RpcException e = rpcError(client.request("terminals/spawn", spawn()));
        assertThat(e.reason()).isEqualTo("spawn_failed");
        assertThat(e.getMessage()).contains("ended before it registered").contains("forwarder.log");
        List<String> lines = Files.readAllLines(seen, StandardCharsets.UTF_8);
        String id = lines.get(lines.indexOf("--id") + 1);
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(lines)
                .containsSubsequence("--cols", "100", "--rows", "30", "--cwd")
                .containsSubsequence("--connect", hub.endpoint(), "--", "sh", "-c", "echo hi");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("id=" + id + " mark=marked");
        // It never became a terminal, and it holds no place among the running ones.
        assertThat(client.request("terminals/list").get(10, TimeUnit.SECONDS).path("terminals"))
                .isEmpty();
        Files.delete(seen);
    }

    @Test
    void onlyTheForwarderWithItsSecretRegistersTheTerminalAndTheJvmVariablesAreHeldAside() throws Exception {
        Path seen = Files.createTempFile("forwarder", ".txt");
        // A stand-in forwarder that writes what it was given and stays (it never registers by itself).
        start(List.of(
                "/bin/sh",
                "-c",
                "{ printf '%s\\n' \"$@\"; echo \"secret=$AGENTWIRE_FORWARDER_SECRET\";"
                        + " echo \"jto=$JAVA_TOOL_OPTIONS held=$AGENTWIRE_HELD_JAVA_TOOL_OPTIONS\"; } > " + seen
                        + "; sleep 30",
                "forwarder"));
        ObjectNode params = spawn();
        ((ObjectNode) params.get("env")).put("JAVA_TOOL_OPTIONS", "-Xmx4g");
        var spawned = client.request("terminals/spawn", params);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Files.readAllLines(seen).stream().anyMatch(l -> l.startsWith("jto=")));
        List<String> lines = Files.readAllLines(seen, StandardCharsets.UTF_8);
        String id = lines.get(lines.indexOf("--id") + 1);
        String secret = lines.stream()
                .filter(l -> l.startsWith("secret="))
                .findFirst()
                .orElseThrow()
                .substring(7);
        assertThat(secret).hasSize(64);
        assertThat(lines).contains("jto= held=-Xmx4g");
        Path log = hub.config().home().resolve("control").resolve(id).resolve("forwarder.log");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(log)))
                .isEqualTo("rw-------");

        ObjectNode register =
                Json.mapper().createObjectNode().put("id", id).put("pid", 1).put("scrollback", "");
        register.putArray("command").add("sh");
        // Another local connection that read the id (ps shows it) cannot take the terminal.
        assertThat(rpcError(client.request("terminals/register", register)).reason())
                .isEqualTo("not_the_forwarder");
        assertThat(rpcError(client.request(
                                "terminals/register", register.deepCopy().put("secret", "0".repeat(64))))
                        .reason())
                .isEqualTo("not_the_forwarder");
        assertThat(spawned).isNotDone();
        client.request("terminals/register", register.deepCopy().put("secret", secret))
                .get(10, TimeUnit.SECONDS);
        assertThat(spawned.get(10, TimeUnit.SECONDS).path("id").asText()).isEqualTo(id);
        // Output and exit count only from the connection that registered it.
        try (AgentwireClient other = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            other.request(
                            "terminals/forward-exit",
                            Json.mapper().createObjectNode().put("id", id).put("exitCode", 9))
                    .get(10, TimeUnit.SECONDS);
            other.request("ping").get(10, TimeUnit.SECONDS);
        }
        assertThat(client.request("terminals/list")
                        .get(10, TimeUnit.SECONDS)
                        .path("terminals")
                        .get(0)
                        .path("status")
                        .asText())
                .isEqualTo("running");
        Files.delete(seen);
    }

    @Test
    void aForwarderThatCannotStartFailsTheSpawnAtOnce() throws Exception {
        start(List.of("/nonexistent/forwarder"));
        RpcException e = rpcError(client.request("terminals/spawn", spawn()));
        assertThat(e.reason()).isEqualTo("spawn_failed");
        assertThat(e.getMessage()).contains("/nonexistent/forwarder");
    }

    @Test
    void whatAForwarderPrintsBeforeItEndsIsInItsLog() throws Exception {
        start(List.of("/bin/sh", "-c", "echo cannot reach the hub >&2; exit 1", "forwarder"));
        rpcError(client.request("terminals/spawn", spawn()));
        Path control = hub.config().home().resolve("control");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (var dirs = Files.list(control)) {
                return dirs.anyMatch(d -> {
                    try {
                        return Files.readString(d.resolve("forwarder.log")).contains("cannot reach the hub");
                    } catch (java.io.IOException x) {
                        return false;
                    }
                });
            }
        });
    }
}
