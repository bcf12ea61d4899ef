package dev.agentwire.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hub over its Unix socket: framings, errors and the bad inputs of the foundation issue. */
class UnixSocketHubTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Path dir;
    private AgentwireHub hub;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        dir = TestHubs.shortTempDir();
        hub = TestHubs.start(dir, b -> b.set("limits.maxMessageBytes", "4KiB"));
        socket = hub.config().socketPath();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private RawConnection connect() throws Exception {
        return RawConnection.unix(socket);
    }

    @Test
    void answersPingOverNdjson() throws Exception {
        try (RawConnection c = connect()) {
            JsonNode r = c.request(1, "hub/ping", null).readJson();
            assertThat(r.path("id").asInt()).isEqualTo(1);
            assertThat(r.path("result").path("pong").asBoolean()).isTrue();
            JsonNode s = c.request("s", "hub/status", null).readJson();
            assertThat(s.path("id").asText()).isEqualTo("s");
            assertThat(s.path("result").path("pid").asLong())
                    .isEqualTo(ProcessHandle.current().pid());
            assertThat(s.path("result").path("connections").path("unix").asInt())
                    .isEqualTo(1);
        }
    }

    @Test
    void malformedJsonIsAParseErrorAndTheConnectionGoesOn() throws Exception {
        try (RawConnection c = connect()) {
            c.sendLine("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ");
            JsonNode e = c.readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32700);
            assertThat(e.path("id").isNull()).isTrue();
            assertThat(c.request(2, "hub/ping", null)
                            .readJson()
                            .path("result")
                            .path("pong")
                            .asBoolean())
                    .isTrue();
        }
    }

    @Test
    void validJsonThatIsNotARequestIsInvalidRequest() throws Exception {
        try (RawConnection c = connect()) {
            // A first byte of '4' would choose typed framing (0x01-0x3F); start the stream as NDJSON first.
            assertThat(c.request(0, "hub/ping", null).readJson().has("result")).isTrue();
            c.sendLine("42");
            assertThat(c.readJson().path("error").path("code").asInt()).isEqualTo(-32600);
            c.sendLine("{\"jsonrpc\":\"2.0\",\"id\":7,\"params\":{}}");
            JsonNode e = c.readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32600);
            assertThat(e.path("id").asInt()).isEqualTo(7);
        }
    }

    @Test
    void unknownMethodIsMethodNotFound() throws Exception {
        try (RawConnection c = connect()) {
            JsonNode e = c.request(3, "no/such", null).readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32601);
            assertThat(e.path("error").path("message").asText()).contains("no/such");
        }
    }

    @Test
    void wrongParamsAreInvalidParamsNamingTheField() throws Exception {
        try (RawConnection c = connect()) {
            JsonNode e = c.request(4, "hub/hello", "{\"name\": 5}").readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32602);
            assertThat(e.path("error").path("data").path("path").asText()).isEqualTo("name");
            JsonNode arr = c.request(5, "hub/hello", "[1, 2]").readJson();
            assertThat(arr.path("error").path("code").asInt()).isEqualTo(-32602);
        }
    }

    @Test
    void aLineOverTheLimitIsTooLargeThenClosed() throws Exception {
        try (RawConnection c = connect()) {
            c.send(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\",\"params\":{\"pad\":\"" + "x".repeat(5000))
                    .getBytes(UTF_8));
            JsonNode e = c.readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32006);
            assertThat(e.path("error").path("data").path("limit").asInt()).isEqualTo(4096);
            c.assertClosedWithin(WAIT);
        }
    }

    @Test
    void aTypedFrameDeclaring4GiBGetsAnErrorFrameAndACloseWithoutAllocation() throws Exception {
        try (RawConnection c = connect()) {
            c.send(ByteBuffer.allocate(5).put((byte) 0x10).putInt(0xFFFFFFFF).array());
            byte[] header = c.readBytes(5, WAIT);
            assertThat(header[0]).isEqualTo((byte) FrameType.ERROR.code());
            int length = ByteBuffer.wrap(header, 1, 4).getInt();
            JsonNode error = Json.mapper().readTree(c.readBytes(length, WAIT));
            assertThat(error.path("code").asInt()).isEqualTo(-32006);
            assertThat(error.path("message").asText()).contains("4294967295");
            c.assertClosedWithin(WAIT);
        }
    }

    @Test
    void aFirstByteThatMatchesNoFramingGetsOneErrorAndAClose() throws Exception {
        try (RawConnection c = connect()) {
            c.send("xyz\n".getBytes(UTF_8));
            JsonNode e = c.readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32700);
            assertThat(e.path("error").path("data").path("reason").asText()).isEqualTo("unknown_framing");
            assertThat(e.path("error").path("message").asText()).contains("'x'");
            c.assertClosedWithin(WAIT);
        }
    }

    @Test
    void invalidUtf8IsAParseErrorAndTheConnectionGoesOn() throws Exception {
        try (RawConnection c = connect()) {
            byte[] line = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\",\"params\":{\"s\":\"AB\"}}\n"
                    .getBytes(UTF_8);
            int at = new String(line, UTF_8).indexOf("AB");
            line[at] = (byte) 0xFF;
            line[at + 1] = (byte) 0xFE;
            c.send(line);
            JsonNode e = c.readJson();
            assertThat(e.path("error").path("code").asInt()).isEqualTo(-32700);
            assertThat(e.path("error").path("message").asText()).contains("UTF-8");
            assertThat(c.request(2, "hub/ping", null).readJson().has("result")).isTrue();
        }
    }

    @Test
    void batchesAnswerWithAnArrayAndNotificationsOnlyWithNothing() throws Exception {
        try (RawConnection c = connect()) {
            c.sendLine("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"},"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
                    + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"}, 5]");
            JsonNode batch = c.readJson();
            assertThat(batch.isArray()).isTrue();
            assertThat(batch).hasSize(3);
            assertThat(batch.get(0).path("result").path("pong").asBoolean()).isTrue();
            assertThat(batch.get(1).path("error").path("code").asInt()).isEqualTo(-32601);
            assertThat(batch.get(2).path("error").path("code").asInt()).isEqualTo(-32600);
            c.sendLine("[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]");
            c.sendLine("[]");
            JsonNode empty = c.readJson();
            assertThat(empty.path("error").path("code").asInt())
                    .as("the all-notification batch gets no answer; the empty batch is invalid")
                    .isEqualTo(-32600);
        }
    }

    @Test
    void lengthPrefixedAndTypedFramingsAnswerInKind() throws Exception {
        byte[] ping = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"hub/ping\"}".getBytes(UTF_8);
        try (RawConnection c = connect()) {
            c.send(FrameEncoding.lengthPrefixed(ping));
            int len = ByteBuffer.wrap(c.readBytes(4, WAIT)).getInt();
            assertThat(Json.mapper().readTree(c.readBytes(len, WAIT)).path("id").asInt())
                    .isEqualTo(9);
        }
        try (RawConnection c = connect()) {
            c.send(FrameEncoding.typed(FrameType.JSON_RPC.code(), ping));
            byte[] h = c.readBytes(5, WAIT);
            assertThat(h[0]).isEqualTo((byte) 0x10);
            JsonNode r =
                    Json.mapper().readTree(c.readBytes(ByteBuffer.wrap(h, 1, 4).getInt(), WAIT));
            assertThat(r.path("result").path("pong").asBoolean()).isTrue();
            c.send(FrameEncoding.typed(FrameType.HEARTBEAT.code(), new byte[0]));
            assertThat(c.readBytes(5, WAIT)).containsExactly(0x07, 0, 0, 0, 0);
            c.send(FrameEncoding.typed(FrameType.STDIN_DATA.code(), "ls\n".getBytes(UTF_8)));
            byte[] eh = c.readBytes(5, WAIT);
            assertThat(eh[0]).isEqualTo((byte) 0x06);
            JsonNode err =
                    Json.mapper().readTree(c.readBytes(ByteBuffer.wrap(eh, 1, 4).getInt(), WAIT));
            assertThat(err.path("message").asText()).contains("0x01");
            c.send(FrameEncoding.typed(FrameType.JSON_RPC.code(), ping));
            assertThat(c.readBytes(5, WAIT)[0])
                    .as("an unsupported frame is not fatal")
                    .isEqualTo((byte) 0x10);
        }
    }

    @Test
    void mcpLifecycleWorks() throws Exception {
        try (RawConnection c = connect()) {
            JsonNode init = c.request(
                            1,
                            "initialize",
                            "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                                    + "\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}")
                    .readJson();
            assertThat(init.path("result").path("protocolVersion").asText()).isEqualTo("2025-06-18");
            assertThat(init.path("result").path("serverInfo").path("name").asText())
                    .isEqualTo("agentwire");
            c.sendLine("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            assertThat(c.request(2, "ping", null).readJson().path("result").isObject())
                    .isTrue();
            JsonNode future = c.request(3, "initialize", "{\"protocolVersion\":\"2099-01-01\"}")
                    .readJson();
            assertThat(future.path("result").path("protocolVersion").asText()).isEqualTo("2025-11-25");
        }
    }

    @Test
    void aHalfClosedPeerGetsEveryAnswerThenTheHubCloses() throws Exception {
        try (RawConnection c = connect()) {
            c.request(1, "hub/status", null).request(2, "hub/ping", null);
            c.shutdownOutput();
            assertThat(c.readJson().path("id").asInt()).isEqualTo(1);
            assertThat(c.readJson().path("id").asInt()).isEqualTo(2);
            c.assertClosedWithin(WAIT);
        }
    }

    @Test
    void homeSocketTokenAndHubJsonHaveTheirModes() throws Exception {
        Path home = hub.config().home();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("token"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(home.resolve("token")).trim()).hasSize(64).isEqualTo(hub.token());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("hub.json"))))
                .isEqualTo("rw-------");
        JsonNode info = Json.mapper().readTree(home.resolve("hub.json").toFile());
        assertThat(info.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(info.path("sockets").path("hub").asText()).isEqualTo(socket.toString());
        assertThat(info.path("port").asInt()).isEqualTo(hub.tcpPort().getAsInt());
        assertThat(info.path("version").asText()).isNotEmpty();
    }

    @Test
    void aConfiguredSocketModeIsApplied() throws Exception {
        Path other = TestHubs.shortTempDir();
        try (AgentwireHub h =
                TestHubs.start(other, b -> b.set("server.socket.mode", "0660").set("clientPort", "-1"))) {
            assertThat(PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(h.config().socketPath())))
                    .isEqualTo("rw-rw----");
            assertThat(h.tcpPort()).isEmpty();
        }
    }

    @Test
    void aRateLimitedPeerGetsRetryAfter() throws Exception {
        Path other = TestHubs.shortTempDir();
        try (AgentwireHub h = TestHubs.start(
                        other, b -> b.set("limits.ratePerSecond", "0.5").set("limits.rateBurst", "2"));
                RawConnection c = RawConnection.unix(h.config().socketPath())) {
            assertThat(c.request(1, "hub/ping", null).readJson().has("result")).isTrue();
            assertThat(c.request(2, "hub/ping", null).readJson().has("result")).isTrue();
            JsonNode limited = c.request(3, "hub/ping", null).readJson();
            assertThat(limited.path("error").path("code").asInt()).isEqualTo(-32004);
            assertThat(limited.path("error").path("data").path("retryAfterMs").asLong())
                    .isBetween(1L, 2000L);
            await().atMost(WAIT)
                    .until(() -> h.core().connections().stream().allMatch(conn -> conn.rateLimitedCount() == 1));
        }
    }

    @Test
    void tenThousandPipelinedRequestsStayWithinTheOutboundLimitAndLoseNothing() throws Exception {
        Path other = TestHubs.shortTempDir();
        long maxOutbound = 256 * 1024;
        try (AgentwireHub h = TestHubs.start(
                        other,
                        b -> b.set("server.socket.highWaterMark", "16KiB")
                                .set("limits.maxOutboundBytes", Long.toString(maxOutbound))
                                .set("limits.ratePerSecond", "0"));
                java.nio.channels.SocketChannel greedy =
                        java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
                RawConnection other2 = RawConnection.unix(h.config().socketPath())) {
            // A plain socket that reads nothing until the checks are done (RawConnection would read eagerly).
            greedy.connect(java.net.UnixDomainSocketAddress.of(h.config().socketPath()));
            int n = 10_000;
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < n; i++) {
                all.append("{\"jsonrpc\":\"2.0\",\"id\":").append(i).append(",\"method\":\"hub/status\"}\n");
            }
            Thread writer = new Thread(() -> {
                try {
                    java.nio.ByteBuffer b =
                            java.nio.ByteBuffer.wrap(all.toString().getBytes(UTF_8));
                    while (b.hasRemaining()) {
                        greedy.write(b);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            // The greedy peer reads nothing; the hub must stop reading it rather than buffer its answers.
            await().atMost(WAIT)
                    .until(() -> h.core().connections().stream()
                            .anyMatch(conn -> conn.outbound().pendingBytes() > 0));
            for (int i = 0; i < 20; i++) {
                assertThat(h.core().connections())
                        .allSatisfy(conn ->
                                assertThat(conn.outbound().pendingBytes()).isLessThanOrEqualTo(maxOutbound));
                assertThat(other2.request(i, "hub/ping", null)
                                .readJson()
                                .path("id")
                                .asInt())
                        .as("another client is unaffected")
                        .isEqualTo(i);
            }
            boolean[] seen = new boolean[n];
            java.io.BufferedReader answers = new java.io.BufferedReader(
                    new java.io.InputStreamReader(java.nio.channels.Channels.newInputStream(greedy), UTF_8));
            for (int i = 0; i < n; i++) {
                String line = answers.readLine();
                assertThat(line).as("answer %d of %d", i, n).isNotNull();
                int id = dev.agentwire.protocol.Json.mapper()
                        .readTree(line)
                        .path("id")
                        .asInt();
                assertThat(seen[id]).as("id %d answered twice", id).isFalse();
                seen[id] = true;
            }
            writer.join(WAIT.toMillis());
            assertThat(writer.isAlive()).isFalse();
            assertThat(greedy.isOpen()).isTrue();
        }
    }
}
