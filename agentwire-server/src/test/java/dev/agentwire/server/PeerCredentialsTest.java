package dev.agentwire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A peer of another uid on the Unix socket, run for real with {@code setpriv} as uid 65534. Needs root,
 * setpriv and python3 (CI has all three); skipped with the reason elsewhere.
 */
class PeerCredentialsTest {

    private static final int NOBODY = 65534;

    /** A python client that connects to an abstract socket, sends a ping and prints what comes back. */
    private static final String CLIENT = String.join(
            "\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "s.settimeout(10)",
            "s.connect('\\0' + sys.argv[1])",
            "s.sendall(b'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}\\n')",
            "buf = b''",
            "while not buf.endswith(b'\\n'):",
            "    chunk = s.recv(65536)",
            "    if not chunk: break",
            "    buf += chunk",
            "sys.stdout.write(buf.decode())");

    @BeforeAll
    static void needsRootSetprivPython() throws IOException {
        assumeTrue(NettyTransport.detect().supportsAbstract(), "needs Linux with native epoll (abstract sockets)");
        assumeTrue(
                Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*")),
                "needs root to run a client as another uid with setpriv");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 for the foreign client");
    }

    private static String runAsNobody(String abstractName) throws Exception {
        Process p = new ProcessBuilder(List.of(
                        "/usr/bin/setpriv",
                        "--reuid=" + NOBODY,
                        "--regid=" + NOBODY,
                        "--clear-groups",
                        "/usr/bin/python3",
                        "-c",
                        CLIENT,
                        abstractName))
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS))
                .as("the foreign client finishes")
                .isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    private static String name() {
        return "aw-cred-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @Test
    void aPeerOfAnotherUidIsRefusedWithTheReason() throws Exception {
        String name = name();
        try (AgentwireHub hub = TestHubs.start(
                TestHubs.shortTempDir(),
                b -> b.set("server.socket.abstract", "true").set("server.socket.path", name))) {
            JsonNode answer = Json.mapper().readTree(runAsNobody(name));
            assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32005);
            assertThat(answer.path("error").path("message").asText())
                    .contains("uid " + NOBODY + " is not allowed")
                    .contains("security.allowUids");
            assertThat(hub.core().connections())
                    .as("the refused peer never became a connection")
                    .isEmpty();
        }
    }

    @Test
    void allowUidsAdmitsThatUid() throws Exception {
        String name = name();
        try (AgentwireHub hub = TestHubs.start(
                TestHubs.shortTempDir(),
                b -> b.set("server.socket.abstract", "true")
                        .set("server.socket.path", name)
                        .set("security.allowUids", Integer.toString(NOBODY)))) {
            JsonNode answer = Json.mapper().readTree(runAsNobody(name));
            assertThat(answer.path("result").path("pong").asBoolean()).isTrue();
            assertThat(hub.core().settings().peerPolicy().allowUids()).contains(NOBODY);
        }
    }

    @Test
    void theOwnersPeerCredentialsAreRecorded() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir());
                RawConnection c = RawConnection.unix(hub.config().socketPath())) {
            JsonNode hello = c.request(1, "hub/hello", "{\"name\":\"me\"}").readJson();
            JsonNode peer = hello.path("result").path("peer");
            assertThat(peer.path("uid").asInt()).isZero();
            assertThat(peer.path("pid").asLong())
                    .isEqualTo(ProcessHandle.current().pid());
        }
    }
}
