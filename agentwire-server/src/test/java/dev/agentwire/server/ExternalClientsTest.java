package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.TestHubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's quick start, for real: socat and nc talk NDJSON JSON-RPC to the hub's socket. */
class ExternalClientsTest {

    private static String run(String input, String... command) throws Exception {
        Process p =
                new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(20, TimeUnit.SECONDS))
                .as("%s finishes", command[0])
                .isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void socatTalksNdjsonToTheHub() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "needs socat (CI installs it)");
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir())) {
            String out = run(
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}\n"
                            + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"hub/status\"}\n",
                    "/usr/bin/socat",
                    "-t",
                    "5",
                    "-",
                    "UNIX-CONNECT:" + hub.config().socketPath());
            List<String> lines = out.lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(Json.mapper()
                            .readTree(lines.get(0))
                            .path("result")
                            .path("pong")
                            .asBoolean())
                    .isTrue();
            JsonNode status = Json.mapper().readTree(lines.get(1));
            assertThat(status.path("result").path("hub").asText()).isEqualTo("agentwire");
        }
    }

    @Test
    void ncWithHalfCloseGetsItsAnswerAndExits() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/nc")), "needs nc (netcat-openbsd; CI installs it)");
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir())) {
            String out = run(
                    "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"hub/status\"}\n",
                    "/usr/bin/nc",
                    "-N",
                    "-U",
                    hub.config().socketPath().toString());
            assertThat(Json.mapper().readTree(out.trim()).path("id").asText()).isEqualTo("a");
        }
    }
}
