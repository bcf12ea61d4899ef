package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.TypedFrameDecoder;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.OtherUser;
import dev.agentwire.server.testing.TestHubs;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A spawned terminal's {@code ipc.sock} as its real {@link Forwarder} serves it: the frames the hub's own
 * {@code ipc.sock} answers, each bad input answered the same way, what a viewer changes reaching the hub, the
 * recording written by the forwarder, and only the owner admitted. Across a hub restart: agentwire-cli's
 * SpawnedTerminalsOutliveTheHubTest.
 */
class ForwarderIpcTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private AgentwireHub hub;
    private AgentwireClient client;
    private String id;
    /** The command's pid (its forwarder ends with it). */
    private long pid;

    private Path home;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.terminalForwarder(ProcessForwarders.javaLaunch()));
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
        ObjectNode spawn = Json.mapper().createObjectNode().put("cols", 100).put("rows", 30);
        spawn.putArray("command").add("bash").add("--norc").add("--noprofile");
        spawn.putObject("env").put("PS1", "$ ");
        home = hub.config().home();
        JsonNode t = call("terminals/spawn", spawn);
        id = t.path("id").asText();
        pid = t.path("pid").asLong();
    }

    @AfterEach
    void stop() throws Exception {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        await().atMost(WAIT).until(() -> !Files.exists(sock()));
        if (client != null) {
            client.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
        return client.request(method, params).get(60, TimeUnit.SECONDS);
    }

    private JsonNode terminal() throws Exception {
        return call("terminals/list", Json.mapper().createObjectNode())
                .path("terminals")
                .get(0);
    }

    private Path dir() {
        return home.resolve("control").resolve(id);
    }

    private Path sock() {
        return dir().resolve("ipc.sock");
    }

    @Test
    void theForwarderServesIpcSockAndAnswersEveryBadFrame() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock())))
                .isEqualTo("rw-------");
        try (Viewer v = new Viewer(sock())) {
            JsonNode info = Json.mapper().readTree(v.until(0x05, id));
            assertThat(info.path("cols").asInt()).isEqualTo(100);
            assertThat(info.path("status").asText()).isEqualTo("running");
            v.send(0x01, "echo via-$((6*7))\r");
            v.until(0x04, "via-42\r\n");
            v.send(0x07, "ping");
            assertThat(v.until(0x07, "ping")).isEqualTo("ping");
            // A viewer's resize and title reach the hub.
            v.send(0x02, "{\"cmd\":\"resize\",\"cols\":90,\"rows\":25}");
            assertThat(Json.mapper()
                            .readTree(v.until(0x03, "\"cols\""))
                            .path("cols")
                            .asInt())
                    .isEqualTo(90);
            await().atMost(WAIT).until(() -> terminal().path("cols").asInt() == 90);
            v.send(0x02, "{\"cmd\":\"update-title\",\"title\":\"build\"}");
            v.until(0x03, "\"build\"");
            await().atMost(WAIT).until(() -> terminal().path("title").asText().equals("build"));
            v.send(0x02, "{\"cmd\":\"reset-size\"}");
            v.until(0x03, "\"cols\":100");
            // Bad input: an Error frame each, and the connection goes on.
            v.send(0x2A, "what");
            assertThat(v.until(0x06, "0x2A")).contains("not accepted on ipc.sock");
            v.send(0x02, "resize please");
            assertThat(Json.mapper()
                            .readTree(v.until(0x06, "ControlCmd"))
                            .path("code")
                            .asInt())
                    .isEqualTo(-32700);
            v.send(0x02, "[1]");
            assertThat(v.until(0x06, "ControlCmd must be")).contains("invalid_params");
            v.send(0x02, "{\"cmd\":\"resize\",\"cols\":0,\"rows\":0}");
            assertThat(v.until(0x06, "0x0")).contains("1-1000 columns");
            v.send(0x02, "{\"cmd\":\"explode\"}");
            assertThat(v.until(0x06, "explode")).contains("unknown_command");
            v.send(0x02, "{\"cmd\":\"kill\",\"signal\":99}");
            assertThat(v.until(0x06, "signal must be")).contains("99");
            v.send(0x01, "echo still-$((6*7))\r");
            v.until(0x04, "still-42\r\n");
            // A frame declaring 4 GB: an Error frame and a close; the terminal goes on.
            v.raw(new byte[] {0x01, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
            assertThat(Json.mapper()
                            .readTree(v.until(0x06, "limit"))
                            .path("code")
                            .asInt())
                    .isEqualTo(-32006);
            v.drain();
        }
        assertThat(terminal().path("status").asText()).isEqualTo("running");
        try (Viewer v = new Viewer(sock())) {
            v.until(0x05, id);
            v.until(0x04, "still-42");
            v.send(0x01, "exit 4\r");
            assertThat(Json.mapper()
                            .readTree(v.until(0x03, "exited"))
                            .path("exitCode")
                            .asInt())
                    .isEqualTo(4);
            v.drain();
        }
        await().atMost(WAIT).until(() -> !Files.exists(sock()));
        await().atMost(WAIT).until(() -> terminal().path("status").asText().equals("exited"));
        // The forwarder's recording, not the hub's: one header, the output, the resizes.
        String cast = Files.readString(dir().resolve("output.cast"));
        assertThat(cast.lines().filter(l -> l.contains("\"version\":2"))).hasSize(1);
        assertThat(cast).containsSubsequence("via-42", "\"r\", \"90x25\"", "\"r\", \"100x30\"", "still-42");
        assertThat(cast.lines().filter(l -> l.contains("\"90x25\"")))
                .as("one resize, once")
                .hasSize(1);
        assertThat(Json.mapper()
                        .readTree(dir().resolve("session.json").toFile())
                        .path("detached")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void anotherUserIsRefusedEvenWhereTheFileModesWouldLetItIn() throws Exception {
        OtherUser.assumeAvailable();
        // Widen the modes, as a careless chmod might: the forwarder still checks who connects.
        for (Path d = dir(); !d.equals(Path.of("/tmp")); d = d.getParent()) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(sock(), PosixFilePermissions.fromString("rwxrwxrwx"));
        String out = OtherUser.run("""
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                s.settimeout(10)
                try:
                    data = s.recv(65536)
                except ConnectionResetError:
                    data = b''
                print('read', len(data))
                """, sock().toString());
        assertThat(out.trim()).isEqualTo("read 0");
        // The owner still gets in.
        try (Viewer v = new Viewer(sock())) {
            v.until(0x05, id);
        }
    }

    @Test
    void aViewerDrivesTheTerminalWhileNoHubRuns() throws Exception {
        try (Viewer v = new Viewer(sock())) {
            v.until(0x05, id);
            client.close();
            client = null;
            hub.close();
            hub = null;
            v.send(0x01, "echo alone-$((6*7))\r");
            v.until(0x04, "alone-42\r\n");
            v.send(0x02, "{\"cmd\":\"resize\",\"cols\":95,\"rows\":28}");
            assertThat(v.until(0x03, "\"cols\"")).contains("\"cols\":95");
            v.send(0x02, "{\"cmd\":\"kill\",\"signal\":9}");
            assertThat(v.until(0x03, "exited")).contains("\"exitCode\"");
            v.drain();
        }
        await().atMost(WAIT).until(() -> !Files.exists(sock()));
        // Recorded by the forwarder: no hub ran to record the resize.
        assertThat(Files.readString(dir().resolve("output.cast"))).contains("alone-42", "\"r\", \"95x28\"");
    }

    @Test
    void aViewerThatReadsNothingIsClosedAndTheTerminalGoesOn() throws Exception {
        try (Viewer idle = new Viewer(sock())) {
            // Far more than the viewers may have queued in the forwarder's heap (a quarter of 32 MiB).
            call(
                    "terminals/input",
                    Json.mapper()
                            .createObjectNode()
                            .put("id", id)
                            .put("text", "base64 -w 1000 /dev/zero | head -c 16000000; echo; echo flood-$((6*7))\r"));
            call(
                    "terminals/wait",
                    Json.mapper()
                            .createObjectNode()
                            .put("id", id)
                            .put("pattern", "^flood-42$")
                            .put("timeoutMs", 120_000));
            assertThat(terminal().path("status").asText())
                    .as("the forwarder lives")
                    .isEqualTo("running");
            try (Viewer late = new Viewer(sock())) {
                late.until(0x05, id);
                late.until(0x04, "flood-42");
            }
            // The one that read nothing gets what was on its way, then why it is closed, then the end.
            String why = idle.until(0x06, "slow_consumer");
            assertThat(why).contains("-32008");
            idle.drain();
        }
    }

    @Test
    void viewersThatConnectAndLeaveAtOnceLeaveNothingBehind() throws Exception {
        // A megabyte kept: before the fix, each probe that left before it was attached stayed attached, holding it.
        call(
                "terminals/input",
                Json.mapper()
                        .createObjectNode()
                        .put("id", id)
                        .put("text", "base64 -w 1000 /dev/zero | head -c 1000000; echo; echo kept-$((6*7))\r"));
        call("terminals/wait", Json.mapper().createObjectNode().put("id", id).put("pattern", "^kept-42$"));
        for (int i = 0; i < 150; i++) {
            // Without blocking: a forwarder that stopped accepting fails the test instead of hanging it.
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.configureBlocking(false);
                probe.connect(UnixDomainSocketAddress.of(sock()));
            } catch (IOException backlogFull) {
                // counted below: the viewer after them must still be served
            }
        }
        try (Viewer v = new Viewer(sock())) {
            v.until(0x05, id);
            v.send(0x01, "echo after-$((6*7))\r");
            v.until(0x04, "after-42\r\n");
        }
        assertThat(terminal().path("status").asText()).isEqualTo("running");
    }

    /** A raw ipc.sock client: typed frames written and read by hand. */
    private static final class Viewer implements AutoCloseable {
        private final SocketChannel ch;
        private final TypedFrameDecoder decoder = new TypedFrameDecoder(16 << 20);
        private final ByteBuffer in = ByteBuffer.allocate(1 << 20);
        private final Deque<Frame> frames = new ArrayDeque<>();
        private final StringBuilder stdout = new StringBuilder();

        Viewer(Path sock) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(sock));
            in.flip();
        }

        /** Reads what has come, waiting at most {@code timeout} for something: a test fails rather than hangs. */
        private int readWithin(java.time.Duration timeout) throws IOException {
            try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
                ch.configureBlocking(false);
                ch.register(selector, java.nio.channels.SelectionKey.OP_READ);
                if (selector.select(timeout.toMillis()) == 0) {
                    throw new AssertionError("nothing came on ipc.sock within " + timeout);
                }
                return ch.read(in);
            }
        }

        void send(int type, String payload) throws IOException {
            raw(FrameEncoding.typed(type, payload.getBytes(StandardCharsets.UTF_8)));
        }

        void raw(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        Frame next() throws IOException {
            while (frames.isEmpty()) {
                in.compact();
                int n = readWithin(Duration.ofSeconds(60));
                in.flip();
                if (n < 0) {
                    return null;
                }
                decoder.decode(in, frames::add);
            }
            Frame f = frames.poll();
            if (f.type() == 0x04) {
                stdout.append(new String(f.payload(), StandardCharsets.UTF_8));
            }
            return f;
        }

        String until(int type, String text) throws IOException {
            while (true) {
                Frame f = next();
                assertThat(f)
                        .as("a frame of type %d with %s before the end (output: %s)", type, text, stdout)
                        .isNotNull();
                if (f.type() == type) {
                    String p = type == 0x04 ? stdout.toString() : new String(f.payload(), StandardCharsets.UTF_8);
                    if (p.contains(text)) {
                        return p;
                    }
                }
            }
        }

        /** Reads to the end of the stream: the forwarder closes it. */
        void drain() throws IOException {
            while (next() != null) {
                // until the close
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
