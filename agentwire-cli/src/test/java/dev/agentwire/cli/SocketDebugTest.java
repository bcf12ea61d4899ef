package dev.agentwire.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SOCKET_DEBUG=true: a real hub process and real client processes log their accepts, connects, closes, options and
 * failed connects with the errno; without it, none of that.
 */
class SocketDebugTest {

    private record Run(int code, String err) {}

    private static Run aw(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(AwRunner.processCommand(args));
        pb.environment().remove("SOCKET_DEBUG");
        pb.environment().putAll(env);
        Path err = Files.createTempFile("aw", ".err");
        pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(err));
    }

    @Test
    void theHubAndTheClientLogAcceptsConnectsClosesAndErrors() throws Exception {
        Path home = Files.createTempDirectory(Path.of("/tmp"), "awsd");
        Path hubLog = home.resolve("hub.err");
        ProcessBuilder pb =
                new ProcessBuilder(AwRunner.processCommand("hub", "--home", home.toString(), "--port", "0"));
        pb.environment().put("SOCKET_DEBUG", "true");
        pb.redirectError(hubLog.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process hub = pb.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(home.resolve("hub.json")));
            Map<String, String> debug = Map.of("AGENTWIRE_HOME", home.toString(), "SOCKET_DEBUG", "true");
            Run ping = aw(debug, "ping", "-n", "1");
            assertThat(ping.code()).as(ping.err()).isZero();
            assertThat(ping.err()).contains("client ", ": connected ", "SO_RCVBUF=", "closed ");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Files.readString(hubLog))
                            .contains("hub ", ": accepted ", "SO_SNDBUF=")
                            .contains(": closed "));

            // Without the switch, nothing of this.
            Run quiet = aw(Map.of("AGENTWIRE_HOME", home.toString()), "ping", "-n", "1");
            assertThat(quiet.code()).isZero();
            assertThat(quiet.err()).doesNotContain(": connected ", ": closed ");

            // A failed connect, with its errno.
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Run refused = aw(debug, "ping", "-n", "1", "--connect", "tcp://127.0.0.1:" + port, "--token", "x");
            assertThat(refused.code()).isEqualTo(ExitCodes.NO_HUB);
            assertThat(refused.err()).containsPattern("connect to \\S+ failed: (ECONNREFUSED|errno 111) ");
        } finally {
            hub.destroy();
            assertThat(hub.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
