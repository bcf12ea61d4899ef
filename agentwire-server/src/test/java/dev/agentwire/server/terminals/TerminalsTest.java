package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Terminals on real PTYs: drive bash, read its screen through the VT emulator, watch it, and bad input. */
class TerminalsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private AgentwireHub hub;
    private AgentwireClient client;
    private final List<JsonNode> notes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("terminals.cleanupDelaySeconds", "3600"));
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .onNotification((m, p) -> notes.add(
                        Json.mapper().createObjectNode().put("method", m).set("params", p)))
                .connect();
        client.request("events/subscribe", Json.mapper().readTree("{\"categories\":[\"session-monitor\"]}"))
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        client.close();
        hub.close();
    }

    private JsonNode call(String method, String params) throws Exception {
        return client.request(method, Json.mapper().readTree(params)).get(30, TimeUnit.SECONDS);
    }

    private RpcException error(String method, String params) throws Exception {
        try {
            call(method, params);
        } catch (ExecutionException e) {
            return (RpcException) e.getCause();
        }
        throw new AssertionError(method + " " + params + " did not fail");
    }

    /** A bash without rc files and with a plain prompt. */
    private String bash(int cols, int rows) throws Exception {
        ObjectNode p = Json.mapper().createObjectNode();
        p.putArray("command").add("bash").add("--norc").add("--noprofile");
        p.putObject("env").put("PS1", "$ ").put("TERM", "xterm-256color");
        p.put("cols", cols).put("rows", rows).put("name", "shell");
        JsonNode r = client.request("terminals/spawn", p).get(30, TimeUnit.SECONDS);
        assertThat(r.path("status").asText()).isEqualTo("running");
        String id = r.path("id").asText();
        waitFor(id, "(?m)^\\$"); // the prompt: typing before it would be echoed ahead of it, as in any terminal
        return id;
    }

    private void type(String id, String line) throws Exception {
        call(
                "terminals/input",
                "{\"id\":\"" + id + "\",\"text\":" + Json.mapper().writeValueAsString(line) + "}");
        call("terminals/key", "{\"id\":\"" + id + "\",\"key\":\"Enter\"}");
    }

    private JsonNode waitFor(String id, String regex) throws Exception {
        return call(
                "terminals/wait",
                "{\"id\":\"" + id + "\",\"pattern\":" + Json.mapper().writeValueAsString(regex)
                        + ",\"timeoutMs\":20000}");
    }

    @Test
    void echoHiIsOnTheScreen() throws Exception {
        String id = bash(80, 24);
        type(id, "echo hi");
        JsonNode m = waitFor(id, "(?m)^hi\\s*$");
        assertThat(m.path("matched").asBoolean()).isTrue();
        JsonNode screen = call("terminals/read", "{\"id\":\"" + id + "\"}");
        List<String> lines = new ArrayList<>();
        screen.path("lines").forEach(l -> lines.add(l.asText()));
        assertThat(lines).hasSize(24).contains("$ echo hi", "hi");
        assertThat(screen.path("cursor").path("y").asInt()).isEqualTo(lines.indexOf("hi") + 1);
        assertThat(screen.path("cursor").path("x").asInt()).isEqualTo(2); // after "$ "
    }

    @Test
    void theRequestedSizeIsThereFromTheStartAndAfterAResize() throws Exception {
        for (int i = 0; i < 3; i++) {
            JsonNode r = call(
                    "terminals/spawn",
                    "{\"command\":[\"sh\",\"-c\",\"tput cols; tput lines; sleep 30\"],\"cols\":97,\"rows\":31}");
            String id = r.path("id").asText();
            waitFor(id, "(?m)^97\\s*\\n31");
            call("terminals/kill", "{\"id\":\"" + id + "\"}");
        }
        String id = bash(80, 24);
        call("terminals/resize", "{\"id\":\"" + id + "\",\"cols\":132,\"rows\":40}");
        type(id, "tput cols");
        waitFor(id, "(?m)^132\\s*$");
        JsonNode screen = call("terminals/read", "{\"id\":\"" + id + "\"}");
        assertThat(screen.path("cols").asInt()).isEqualTo(132);
        assertThat(screen.path("lines")).hasSize(40);
    }

    @Test
    void fullScreenOutputIsReadAsAPersonSeesIt() throws Exception {
        String id = bash(40, 10);
        // What top or vim do: clear the screen, place text by cursor addressing, overwrite part of it.
        type(id, "clear; printf '\\033[5;10HTOP-LIKE\\033[1;1Hheader\\033[5;13HX\\033[9;1H'; sleep 30");
        waitFor(id, "TOPXLIKE");
        List<String> lines = new ArrayList<>();
        call("terminals/read", "{\"id\":\"" + id + "\"}").path("lines").forEach(l -> lines.add(l.asText()));
        assertThat(lines.get(0)).isEqualTo("header");
        assertThat(lines.get(4)).isEqualTo("         TOPXLIKE");
        assertThat(lines.get(1)).isEmpty();
    }

    @Test
    void viewersGetTheScrollbackThenLiveOutput() throws Exception {
        String id = bash(80, 24);
        type(id, "echo before-attach");
        waitFor(id, "(?m)^before-attach");
        JsonNode attached = call("terminals/attach", "{\"id\":\"" + id + "\"}");
        assertThat(attached.path("scrollback").asText()).contains("before-attach");
        type(id, "echo after-attach");
        await().atMost(WAIT)
                .until(() -> notes.stream()
                        .filter(n -> n.path("method").asText().equals("terminals/output"))
                        .map(n -> n.path("params").path("data").asText())
                        .reduce("", String::concat)
                        .contains("after-attach"));
        assertThat(call("terminals/list", "{}")
                        .path("terminals")
                        .get(0)
                        .path("viewers")
                        .asInt())
                .isEqualTo(1);
        assertThat(call("terminals/detach", "{\"id\":\"" + id + "\"}")
                        .path("detached")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void filesEventsAndExit() throws Exception {
        String id = bash(80, 24);
        Path dir = hub.config().home().resolve("control").resolve(id);
        JsonNode json = Json.mapper().readTree(dir.resolve("session.json").toFile());
        assertThat(json.path("status").asText()).isEqualTo("running");
        assertThat(json.path("cols").asInt()).isEqualTo(80);
        assertThat(json.path("pid").asLong()).isPositive();
        type(id, "printf '\\033]0;my title\\007'; printf 'ring\\a'; echo; exit 3");
        await().atMost(WAIT)
                .until(() -> Json.mapper()
                        .readTree(dir.resolve("session.json").toFile())
                        .path("status")
                        .asText()
                        .equals("exited"));
        json = Json.mapper().readTree(dir.resolve("session.json").toFile());
        assertThat(json.path("exitCode").asInt()).isEqualTo(3);
        assertThat(json.path("title").asText()).isEqualTo("my title");
        List<String> cast = Files.readAllLines(dir.resolve("output.cast"));
        JsonNode header = Json.mapper().readTree(cast.get(0));
        assertThat(header.path("version").asInt()).isEqualTo(2);
        assertThat(header.path("width").asInt()).isEqualTo(80);
        assertThat(cast.subList(1, cast.size())).anyMatch(l -> l.contains("ring"));
        await().atMost(WAIT).until(() -> types().contains("session-exit"));
        assertThat(types()).contains("session-start", "title-change", "bell", "session-exit");
        JsonNode exit = notes.stream()
                .filter(n -> n.path("params").path("data").path("type").asText().equals("session-exit"))
                .findFirst()
                .orElseThrow()
                .path("params")
                .path("data");
        assertThat(exit.path("exitCode").asInt()).isEqualTo(3);
        assertThat(exit.path("sessionId").asText()).isEqualTo(id);
    }

    @Test
    void shellIntegrationMarksBecomeCommandNotifications() throws Exception {
        String id = bash(80, 24);
        // What a shell with OSC 133 integration prints around a command; split over two writes on purpose.
        type(id, "printf '\\033]133;C\\007'; sleep 0.1; printf '\\033]13'; printf '3;D;0\\007'");
        type(id, "printf '\\033]133;C\\007\\033]133;D;2\\033\\\\'");
        await().atMost(WAIT).until(() -> types().contains("command-error"));
        assertThat(types()).contains("command-completion");
        JsonNode error = notes.stream()
                .filter(n -> n.path("params").path("data").path("type").asText().equals("command-error"))
                .findFirst()
                .orElseThrow()
                .path("params")
                .path("data");
        assertThat(error.path("exitCode").asInt()).isEqualTo(2);
        JsonNode ok = notes.stream()
                .filter(n -> n.path("params").path("data").path("type").asText().equals("command-completion"))
                .findFirst()
                .orElseThrow()
                .path("params")
                .path("data");
        // A duration was measured (C came before D); its size depends on scheduling, so only its presence is checked.
        assertThat(ok.path("durationMs").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(error.path("durationMs").asLong()).isGreaterThanOrEqualTo(0);
    }

    private List<String> types() {
        List<String> out = new ArrayList<>();
        notes.stream()
                .filter(n -> n.path("method").asText().equals("events/event"))
                .forEach(n -> out.add(n.path("params").path("data").path("type").asText()));
        return out;
    }

    @Test
    void badInputGetsClearErrors() throws Exception {
        String id = bash(80, 24);
        RpcException e = error("terminals/resize", "{\"id\":\"" + id + "\",\"cols\":0,\"rows\":0}");
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).contains("0x0");
        e = error("terminals/resize", "{\"id\":\"" + id + "\",\"cols\":100000,\"rows\":24}");
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).contains("1-1000 columns");
        e = error("terminals/attach", "{\"id\":\"../../etc/passwd\"}");
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).contains("32 lower-case hex digits");
        e = error("terminals/attach", "{\"id\":\"0123456789abcdef0123456789abcdef\"}");
        assertThat(e.code()).isEqualTo(-32007);
        e = error("terminals/key", "{\"id\":\"" + id + "\",\"key\":\"Hyper-Q\"}");
        assertThat(e.code()).isEqualTo(-32602);
        assertThat(e.getMessage()).contains("unknown key Hyper-Q");
        e = error("terminals/wait", "{\"id\":\"" + id + "\",\"pattern\":\"(unclosed\"}");
        assertThat(e.code()).isEqualTo(-32602);
        e = error("terminals/wait", "{\"id\":\"" + id + "\",\"pattern\":\"never-printed-xyz\",\"timeoutMs\":300}");
        assertThat(e.code()).isEqualTo(-32001);
        e = error("terminals/spawn", "{\"command\":[\"/no/such/program\"]}");
        assertThat(e.code()).isEqualTo(-32602);
        call("terminals/kill", "{\"id\":\"" + id + "\",\"signal\":9}");
        await().atMost(WAIT)
                .until(() -> call("terminals/list", "{}")
                        .path("terminals")
                        .get(0)
                        .path("status")
                        .asText()
                        .equals("exited"));
        e = error("terminals/input", "{\"id\":\"" + id + "\",\"text\":\"ls\"}");
        assertThat(e.code()).isEqualTo(-32007);
        assertThat(e.getMessage()).contains("has exited");
    }

    /** Reads whole typed frames from a raw socket: {@code [type][u32 length][payload]}. */
    private static final class FrameReader {
        private final java.nio.channels.SocketChannel ch;
        private final java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 20);

        FrameReader(java.nio.channels.SocketChannel ch) {
            this.ch = ch;
            buf.flip();
        }

        /** The next frame as {type, payload}, or null at the end of the stream. */
        Object[] next() throws Exception {
            while (true) {
                if (buf.remaining() >= 5) {
                    int type = buf.get(buf.position()) & 0xFF;
                    int len = buf.getInt(buf.position() + 1);
                    if (buf.remaining() >= 5 + len) {
                        buf.position(buf.position() + 5);
                        byte[] payload = new byte[len];
                        buf.get(payload);
                        return new Object[] {type, payload};
                    }
                }
                buf.compact();
                int n = ch.read(buf);
                buf.flip();
                if (n < 0) {
                    return null;
                }
            }
        }

        /** Frames until one of {@code type} whose text contains {@code text}; that one's text. */
        String until(int type, String text) throws Exception {
            StringBuilder stdout = new StringBuilder();
            while (true) {
                Object[] f = next();
                assertThat(f)
                        .as("a frame of type %d with %s before the end", type, text)
                        .isNotNull();
                String payload = new String((byte[]) f[1], java.nio.charset.StandardCharsets.UTF_8);
                if ((int) f[0] == type) {
                    if (type == 4) {
                        stdout.append(payload);
                        if (stdout.toString().contains(text)) {
                            return stdout.toString();
                        }
                    } else if (payload.contains(text)) {
                        return payload;
                    }
                }
            }
        }
    }

    private static void frame(java.nio.channels.SocketChannel ch, int type, byte[] payload) throws Exception {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(5 + payload.length);
        b.put((byte) type).putInt(payload.length).put(payload).flip();
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aRawClientOnIpcSockDrivesTheSessionWithFramesWrittenByHand() throws Exception {
        String id = bash(80, 24);
        Path sock = hub.config().home().resolve("control").resolve(id).resolve("ipc.sock");
        assertThat(Files.getPosixFilePermissions(sock))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        try (java.nio.channels.SocketChannel ch =
                java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(sock));
            FrameReader in = new FrameReader(ch);
            Object[] first = in.next();
            assertThat((int) first[0]).as("SessionInfo first").isEqualTo(0x05);
            assertThat(Json.mapper().readTree((byte[]) first[1]).path("id").asText())
                    .isEqualTo(id);
            // StdinData, byte by byte as a person would build it: type 0x01, length, bytes.
            frame(ch, 0x01, utf8("echo via-ipc\r"));
            in.until(0x04, "via-ipc\r\n");
            // Heartbeat is echoed.
            frame(ch, 0x07, utf8("ping"));
            assertThat(in.until(0x07, "ping")).isEqualTo("ping");
            // ControlCmd resize answers a StatusUpdate with the new size.
            frame(ch, 0x02, utf8("{\"cmd\":\"resize\",\"cols\":100,\"rows\":30}"));
            assertThat(Json.mapper()
                            .readTree(in.until(0x03, "\"cols\""))
                            .path("cols")
                            .asInt())
                    .isEqualTo(100);
            // Bad input: an Error frame each, and the connection goes on.
            frame(ch, 0x2A, utf8("what"));
            assertThat(in.until(0x06, "0x2A")).contains("not accepted on ipc.sock");
            frame(ch, 0x02, utf8("resize please"));
            assertThat(Json.mapper()
                            .readTree(in.until(0x06, "ControlCmd"))
                            .path("code")
                            .asInt())
                    .isEqualTo(-32700);
            frame(ch, 0x02, utf8("{\"cmd\":\"resize\",\"cols\":0,\"rows\":0}"));
            assertThat(in.until(0x06, "0x0")).contains("1-1000 columns");
            frame(ch, 0x01, utf8("exit 4\r"));
            JsonNode status = Json.mapper().readTree(in.until(0x03, "exited"));
            assertThat(status.path("exitCode").asInt()).isEqualTo(4);
            assertThat(in.next()).as("closed after the exit").isNull();
        }
        await().atMost(WAIT).until(() -> !Files.exists(sock));
    }

    @Test
    void aFrameDeclaringFourGigabytesIsAnErrorAndAClose() throws Exception {
        String id = bash(80, 24);
        Path sock = hub.config().home().resolve("control").resolve(id).resolve("ipc.sock");
        try (java.nio.channels.SocketChannel ch =
                java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(sock));
            FrameReader in = new FrameReader(ch);
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x01, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
            String error = in.until(0x06, "limit");
            assertThat(Json.mapper().readTree(error).path("code").asInt()).isEqualTo(-32006);
            Object[] f;
            do {
                f = in.next();
            } while (f != null);
        }
        // The session itself goes on.
        assertThat(call("terminals/list", "{}")
                        .path("terminals")
                        .get(0)
                        .path("status")
                        .asText())
                .isEqualTo("running");
    }

    @Test
    void aRestartedHubMarksSessionsWhoseProcessIsGoneAndRemovesOrphans() throws Exception {
        Path home = hub.config().home();
        client.close();
        hub.close();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        Path dir = home.resolve("control/0123456789abcdef0123456789abcdef");
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("session.json"),
                "{\"id\":\"0123456789abcdef0123456789abcdef\",\"status\":\"running\",\"pid\":" + gone.pid() + "}");
        Files.writeString(dir.resolve("ipc.sock"), "stale");
        Path orphan = home.resolve("control/fedcba9876543210fedcba9876543210");
        Files.createDirectories(orphan);
        hub = AgentwireHub.builder()
                .home(home)
                .set("clientPort", "0")
                .set("terminals.cleanupDelaySeconds", "3600")
                .build()
                .start();
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
        assertThat(Json.mapper()
                        .readTree(dir.resolve("session.json").toFile())
                        .path("status")
                        .asText())
                .isEqualTo("exited");
        assertThat(dir.resolve("ipc.sock")).doesNotExist();
        assertThat(orphan).doesNotExist();
    }

    @Test
    void aTypedFramingViewerGetsStdoutDataFramesOnHubSock() throws Exception {
        String id = bash(80, 24);
        try (java.nio.channels.SocketChannel ch =
                java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(hub.config().socketPath()));
            FrameReader in = new FrameReader(ch);
            frame(
                    ch,
                    0x10,
                    utf8("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"terminals/attach\",\"params\":{\"id\":\"" + id
                            + "\"}}"));
            assertThat(in.until(0x10, "scrollback")).contains("\"id\":1");
            type(id, "echo framed-output");
            // StdoutData on a multiplexed connection: the session id, then the bytes.
            String out = in.until(0x04, "framed-output\r\n");
            assertThat(out).startsWith(id);
        }
    }

    @Test
    void viIsReadAsItDrawsItself() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/vi")), "needs vi (CI installs vim-tiny)");
        Path file = Files.createTempFile("screen", ".txt");
        Files.writeString(file, "first line of the file\nsecond line\n");
        JsonNode r = call(
                "terminals/spawn",
                "{\"command\":[\"vi\",\"-u\",\"NONE\",\"-n\"," + Json.mapper().writeValueAsString(file.toString())
                        + "],\"cols\":60,\"rows\":12}");
        String id = r.path("id").asText();
        waitFor(id, "second line[\\s\\S]*~");
        List<String> lines = new ArrayList<>();
        call("terminals/read", "{\"id\":\"" + id + "\"}").path("lines").forEach(l -> lines.add(l.asText()));
        assertThat(lines).hasSize(12);
        assertThat(lines.get(0)).isEqualTo("first line of the file");
        assertThat(lines.get(1)).isEqualTo("second line");
        assertThat(lines.subList(2, 10)).allMatch(l -> l.equals("~"));
        assertThat(lines.get(11)).contains(file.getFileName().toString());
        // Full-screen editing: go to the end of line 2, append, and see it drawn in place.
        call("terminals/key", "{\"id\":\"" + id + "\",\"key\":\"Down\"}");
        call("terminals/input", "{\"id\":\"" + id + "\",\"text\":\"A, edited\"}");
        call("terminals/key", "{\"id\":\"" + id + "\",\"key\":\"Escape\"}");
        waitFor(id, "second line, edited");
        call("terminals/input", "{\"id\":\"" + id + "\",\"text\":\":q!\\r\"}");
        await().atMost(WAIT)
                .until(() -> call("terminals/list", "{}")
                        .path("terminals")
                        .get(0)
                        .path("status")
                        .asText()
                        .equals("exited"));
    }
}
