package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * aw sockets debug against real sockets: a refused port, a listening one, Unix paths (missing, stale, not a
 * socket, listening with its backlog) and unreachable addresses in a network namespace the test makes.
 */
class SocketsDebugTest {

    private static JsonNode debug(int expectedCode, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("sockets", "debug", "--json"));
        all.addAll(List.of(args));
        AwRunner.Result r = aw(all.toArray(String[]::new));
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(expectedCode);
        return Json.mapper().readTree(r.out());
    }

    private static JsonNode step(JsonNode report, String name) {
        for (JsonNode s : report.path("steps")) {
            if (s.path("step").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no step " + name + " in " + report);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRefusedPortIsExplainedAsEconnrefused() throws Exception {
        int port = freePort();
        JsonNode r = debug(ExitCodes.ERROR, "--address", "127.0.0.1:" + port);
        assertThat(step(r, "dns").path("detail").asText()).contains("a literal address, no lookup");
        JsonNode connect = step(r, "connect");
        assertThat(connect.path("ok").asBoolean()).isFalse();
        assertThat(connect.path("errno").asText()).isEqualTo("ECONNREFUSED");
        assertThat(connect.path("errnoNumber").asInt()).isEqualTo(111);
        assertThat(connect.has("ms")).isTrue();
        assertThat(r.path("next").toString()).contains("nothing listens on port " + port + " on this machine");
        // 127.0.0.2 is loopback too, with nothing bound there: refused as well, and the text form says so.
        AwRunner.Result text = aw("sockets", "debug", "--address", "127.0.0.2:" + port);
        assertThat(text.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(text.out()).contains("ECONNREFUSED (111): Connection refused", "usual causes:", "Next:");
    }

    @Test
    void aListeningPortConnectsAndTheSocketsAlreadyThereAreCounted() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Socket client = new Socket()) {
            int port = listener.getLocalPort();
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            try (Socket accepted = listener.accept()) {
                JsonNode r = debug(ExitCodes.OK, "--address", "localhost:" + port);
                assertThat(r.path("ok").asBoolean()).isTrue();
                assertThat(step(r, "connect").path("detail").asText()).contains("established");
                JsonNode counts = r.path("localSockets").path("counts");
                assertThat(counts.path("LISTEN").asInt()).isEqualTo(1);
                assertThat(counts.path("ESTABLISHED").asInt())
                        .as("both ends of the open connection")
                        .isEqualTo(2);
                assertThat(r.path("localSockets").path("sockets").findValuesAsText("pid"))
                        .contains(Long.toString(ProcessHandle.current().pid()));
                assertThat(accepted.isConnected()).isTrue();
            }
        }
    }

    @Test
    void unixPathsMissingStaleNotASocketAndListening() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awdbg");
        Path missing = dir.resolve("none.sock");
        JsonNode r = debug(ExitCodes.ERROR, "--address", missing.toString());
        assertThat(step(r, "exists").path("errno").asText()).isEqualTo("ENOENT");

        Path dangling = Files.createSymbolicLink(dir.resolve("link.sock"), dir.resolve("nowhere.sock"));
        r = debug(ExitCodes.ERROR, "--address", dangling.toString());
        assertThat(step(r, "socket").path("detail").asText()).isEqualTo("a symbolic link to nothing");

        Path file = Files.writeString(dir.resolve("file.sock"), "not a socket");
        r = debug(ExitCodes.ERROR, "--address", "unix:" + file);
        assertThat(step(r, "socket").path("errno").asText()).isEqualTo("ENOTSOCK");
        assertThat(step(r, "socket").path("detail").asText()).contains("a regular file");

        Path path = dir.resolve("live.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path), 7);
            r = debug(ExitCodes.OK, "--address", path.toString());
            assertThat(step(r, "permission").path("detail").asText()).contains("owner", "may connect");
            assertThat(step(r, "listening").path("detail").asText())
                    .contains("STREAM listener", ProcessHandle.current().pid() + "/");
            if (Ss.find().isPresent()) {
                assertThat(step(r, "backlog").path("detail").asText()).contains("backlog 7");
            }
            assertThat(step(r, "connect").path("ok").asBoolean()).isTrue();
        }
        // Closed: the file stays, nothing listens, connect is refused.
        assertThat(path).exists();
        r = debug(ExitCodes.ERROR, "--address", path.toString());
        assertThat(step(r, "listening").path("ok").asBoolean()).isFalse();
        assertThat(step(r, "connect").path("errno").asText()).isEqualTo("ECONNREFUSED");
        assertThat(r.path("next").toString()).contains("stale file", "rm " + path);
    }

    /** Runs aw in a new network namespace (as root) with lo up and the given routes. */
    private static JsonNode inNamespace(String routes, String address) throws Exception {
        List<String> aw =
                AwRunner.processCommand("sockets", "debug", "--json", "--timeout", "1s", "--address", address);
        StringBuilder script = new StringBuilder("ip link set lo up && " + routes + " && exec");
        for (String a : aw) {
            script.append(" '").append(a).append("'");
        }
        Process p = new ProcessBuilder("unshare", "--net", "sh", "-c", script.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(ExitCodes.ERROR);
        return Json.mapper().readTree(out);
    }

    private static boolean canMakeANetworkNamespace() {
        try {
            Process p = new ProcessBuilder("unshare", "--net", "ip", "link", "set", "lo", "up")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void unreachableAddressesInANetworkNamespace() throws Exception {
        assumeTrue(canMakeANetworkNamespace(), "needs unshare --net (root) and ip");
        // A route out through lo to addresses nobody has: the SYN is dropped, the connect times out.
        JsonNode r = inNamespace("ip route add 192.0.2.0/24 dev lo", "192.0.2.1:80");
        assertThat(step(r, "connect").path("errno").asText()).isEqualTo("ETIMEDOUT");
        assertThat(step(r, "connect").path("detail").asText()).contains("no answer to the SYN within 1000 ms");
        assertThat(r.path("next").toString()).contains("ip route get 192.0.2.1");
        // An 'unreachable' route: the kernel answers at once.
        r = inNamespace("ip route add unreachable 198.51.100.0/24", "198.51.100.1:80");
        assertThat(step(r, "connect").path("errno").asText()).isEqualTo("EHOSTUNREACH");
        // No route at all.
        r = inNamespace("true", "10.1.2.3:80");
        assertThat(step(r, "connect").path("errno").asText()).isEqualTo("ENETUNREACH");
    }

    @Test
    void aNameThatDoesNotResolveFailsAtDns() throws Exception {
        JsonNode r = debug(ExitCodes.ERROR, "--address", "no-such-host.invalid:80");
        assertThat(step(r, "dns").path("ok").asBoolean()).isFalse();
        assertThat(r.path("next").toString()).contains("getent hosts no-such-host.invalid");
    }

    @Test
    void badAddressesAreRefusedWithTheReason() {
        AwRunner.Result r = aw("sockets", "debug", "--address", "foo");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--address must be HOST:PORT, [IPv6]:PORT or a Unix socket path", "'foo'");
        r = aw("sockets", "debug", "--address", "127.0.0.1:70000");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("the port must be 1-65535, not 70000");
        r = aw("sockets", "debug", "--address", "unix:");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("give a socket file's path");
        r = aw("sockets", "debug", "--address", "127.0.0.1:80", "--timeout", "soon");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'soon' is not a duration");
    }
}
