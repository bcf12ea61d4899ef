package dev.agentwire.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.TestHubs;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The threads a hub starts end with it. */
class HubThreadsTest {

    /** The pools that run api.sock commands and ipc.sock frames off the event loop. */
    private static final Set<String> HANDLER_POOLS = Set.of("aw-api-sock", "aw-ipc");

    private AgentwireHub hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    private static List<String> liveHandlerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(HANDLER_POOLS::contains)
                .toList();
    }

    @Test
    void theApiSockAndIpcSockPoolsEndWhenTheHubCloses() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir());
        Path home = hub.config().home();
        try (SocketChannel api = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            api.connect(UnixDomainSocketAddress.of(home.resolve("api.sock")));
            write(api, "{\"command\":\"status\"}\n".getBytes(UTF_8));
            assertThat(readLine(api)).contains("\"ok\":true");
        }
        try (AgentwireClient client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect()) {
            String id = client.request("terminals/spawn", Json.mapper().readTree("{\"command\":[\"sleep\",\"30\"]}"))
                    .get(30, TimeUnit.SECONDS)
                    .path("id")
                    .asText();
            try (SocketChannel ipc = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ipc.connect(UnixDomainSocketAddress.of(
                        home.resolve("control").resolve(id).resolve("ipc.sock")));
                assertThat(readFrameType(ipc)).as("SessionInfo").isEqualTo(0x05);
                write(
                        ipc,
                        ByteBuffer.allocate(9)
                                .put((byte) 0x07)
                                .putInt(4)
                                .put("ping".getBytes(UTF_8))
                                .array());
                assertThat(readFrameType(ipc)).as("the Heartbeat echoed").isEqualTo(0x07);
            }
        }
        assertThat(liveHandlerThreads()).as("both pools ran something").containsAll(HANDLER_POOLS);

        hub.close();

        assertThat(liveHandlerThreads()).as("pool threads alive after close").isEmpty();
    }

    private static void write(SocketChannel ch, byte[] bytes) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String readLine(SocketChannel ch) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            assertThat(ch.read(one)).as("a line before the end").isPositive();
            if (one.get(0) == '\n') {
                return line.toString(UTF_8);
            }
            line.write(one.get(0));
        }
    }

    /** Reads one typed frame; its type. */
    private static int readFrameType(SocketChannel ch) throws Exception {
        ByteBuffer head = ByteBuffer.allocate(5);
        readFully(ch, head);
        ByteBuffer payload = ByteBuffer.allocate(head.getInt(1));
        readFully(ch, payload);
        return head.get(0) & 0xFF;
    }

    private static void readFully(SocketChannel ch, ByteBuffer b) throws Exception {
        while (b.hasRemaining()) {
            assertThat(ch.read(b)).as("the rest of a frame").isNotNegative();
        }
    }
}
