package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** aw sockets analyze and aw sockets unix against sockets this test makes, in the states it puts them in. */
class SocketsCommandTest {

    private static JsonNode analyze(int port) throws Exception {
        AwRunner.Result r = aw("sockets", "analyze", "--port", Integer.toString(port), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        return Json.mapper().readTree(r.out());
    }

    @Test
    void theCountsMatchTheSocketsMade() throws Exception {
        assumeTrue(ProcNet.available(), "needs Linux's /proc/net");
        List<AutoCloseable> open = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            // Two established pairs.
            for (int i = 0; i < 2; i++) {
                Socket client = new Socket();
                client.connect(at);
                open.add(client);
                open.add(listener.accept());
            }
            // TIME_WAIT: the client closes first and the server answers the close.
            Socket activeCloser = new Socket();
            activeCloser.connect(at);
            Socket answering = listener.accept();
            activeCloser.close();
            InputStream in = answering.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
            answering.close();
            // CLOSE_WAIT: the client closes, the server never does (its client side waits in FIN_WAIT2).
            Socket leaving = new Socket();
            leaving.connect(at);
            Socket neverCloses = listener.accept();
            open.add(neverCloses);
            leaving.close();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> analyze(port).path("counts").path("CLOSE_WAIT").asInt() == 1
                            && analyze(port).path("counts").path("TIME_WAIT").asInt() == 1);
            JsonNode r = analyze(port);
            JsonNode counts = r.path("counts");
            assertThat(counts.path("LISTEN").asInt()).isEqualTo(1);
            assertThat(counts.path("ESTABLISHED").asInt()).isEqualTo(4);
            assertThat(counts.path("TIME_WAIT").asInt()).isEqualTo(1);
            assertThat(counts.path("CLOSE_WAIT").asInt()).isEqualTo(1);
            assertThat(counts.path("FIN_WAIT2").asInt()).isEqualTo(1);
            assertThat(r.path("recommendations").toString())
                    .contains("TIME_WAIT count (1) is normal")
                    .contains("1 in CLOSE_WAIT (" + ProcessHandle.current().pid() + "/");
            // The sockets of this process, by --pid.
            AwRunner.Result mine = aw(
                    "sockets",
                    "analyze",
                    "--pid",
                    Long.toString(ProcessHandle.current().pid()),
                    "--json");
            JsonNode ours = Json.mapper().readTree(mine.out());
            assertThat(ours.path("sockets").findValuesAsText("localPort")).contains(Integer.toString(port));
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }

    @Test
    void unixSocketsAnswerWhetherAnythingListens() throws Exception {
        assumeTrue(ProcNet.available(), "needs Linux's /proc/net");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "awsock");
        Path path = dir.resolve("listening.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            AwRunner.Result r = aw("sockets", "unix", "--path", path.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out())
                    .contains("LISTEN", "STREAM", ProcessHandle.current().pid() + "/", path.toString());
        }
        // The file stays when the listener is gone: nothing listens there any more.
        assertThat(path).exists();
        AwRunner.Result r = aw("sockets", "unix", "--path", path.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("nothing listens on " + path, "stale socket");
    }

    @Test
    void udpSocketsAreAnalyzedWithTheirDrops() throws Exception {
        assumeTrue(ProcNet.available(), "needs Linux's /proc/net");
        try (java.net.DatagramSocket bound = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress());
                java.net.DatagramSocket sender = new java.net.DatagramSocket()) {
            bound.setReceiveBufferSize(1024); // the kernel's floor: a few datagrams fill it
            int port = bound.getLocalPort();
            byte[] payload = new byte[512];
            for (int i = 0; i < 64; i++) {
                sender.send(
                        new java.net.DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), port));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> analyze(port).path("udp").path(0).path("drops").asLong() > 0);
            JsonNode r = analyze(port);
            JsonNode udp = r.path("udp").path(0);
            assertThat(udp.path("state").asText()).isEqualTo("UNCONN");
            assertThat(udp.path("localPort").asInt()).isEqualTo(port);
            assertThat(udp.path("rxQueue").asLong())
                    .as("datagrams waiting unread")
                    .isPositive();
            assertThat(udp.path("pid").asLong())
                    .isEqualTo(ProcessHandle.current().pid());
            assertThat(r.path("recommendations").toString()).contains("UDP port " + port, "dropped");
            AwRunner.Result text = aw("sockets", "analyze", "--port", Integer.toString(port));
            assertThat(text.out()).contains("UDP sockets on port " + port + ": 1", "DROPS", "127.0.0.1:" + port);
        }
    }

    @Test
    void badInputGetsAClearError() {
        AwRunner.Result r = aw("sockets", "analyze", "--port", "70000");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--port must be 1-65535, not 70000");
        r = aw("sockets", "analyze", "--pid", "999999999");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("no process 999999999");
    }
}
