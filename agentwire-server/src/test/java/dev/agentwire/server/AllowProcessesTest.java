package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.config.ConfigException;
import dev.agentwire.server.testing.TestHubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code security.allowProcesses} matches the executable's real path ({@code /proc/PID/exe}), not its file name
 * (issue 11, finding 9): a copy of python3 elsewhere, also called python3, is refused; the listed
 * {@code /usr/bin/python3}, a link to python3.X, is resolved at start and admitted.
 */
class AllowProcessesTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /** Connects to the socket, pings, prints the answer line. */
    private static final String CLIENT = String.join(
            "\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "s.settimeout(10)",
            "s.connect(sys.argv[1])",
            "s.sendall(b'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}\\n')",
            "buf = b''",
            "while not buf.endswith(b'\\n'):",
            "    chunk = s.recv(65536)",
            "    if not chunk: break",
            "    buf += chunk",
            "sys.stdout.write(buf.decode())");

    @BeforeAll
    static void needsPython() {
        assumeTrue(Files.isExecutable(PYTHON), "needs /usr/bin/python3");
    }

    private static JsonNode ping(Path python, Path socket) throws Exception {
        Process p = new ProcessBuilder(List.of(python.toString(), "-c", CLIENT, socket.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return Json.mapper().readTree(out.trim());
    }

    @Test
    void aCopyOfAnAllowedProgramUnderTheSameNameIsRefused() throws Exception {
        Path dir = TestHubs.shortTempDir();
        Path copy = dir.resolve("python3");
        Files.copy(PYTHON.toRealPath(), copy);
        try (AgentwireHub hub = TestHubs.start(dir, b -> b.set("security.allowProcesses", PYTHON.toString()))) {
            JsonNode refused = ping(copy, hub.config().socketPath());
            assertThat(refused.path("error").path("message").asText())
                    .contains("process " + copy + " is not in security.allowProcesses");

            JsonNode admitted = ping(PYTHON, hub.config().socketPath());
            assertThat(admitted.path("result").path("pong").asBoolean())
                    .as("/usr/bin/python3 is resolved to %s at start: %s", PYTHON.toRealPath(), admitted)
                    .isTrue();
        }
    }

    @Test
    void aBareNameIsRefusedAtConfigLoad() throws Exception {
        Path dir = TestHubs.shortTempDir();
        assertThatThrownBy(() -> TestHubs.start(dir, b -> b.set("security.allowProcesses", "python3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("security.allowProcesses")
                .hasMessageContaining("'python3'")
                .hasMessageContaining("absolute path");
    }

    @Test
    void aPathThatDoesNotExistIsRefusedAtConfigLoad() throws Exception {
        Path dir = TestHubs.shortTempDir();
        String missing = dir.resolve("no-such-program").toString();
        assertThatThrownBy(() -> TestHubs.start(dir, b -> b.set("security.allowProcesses", missing)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("security.allowProcesses")
                .hasMessageContaining(missing)
                .hasMessageContaining("does not exist");
    }
}
