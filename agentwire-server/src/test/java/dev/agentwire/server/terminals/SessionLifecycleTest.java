package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The VibeTunnel seed's session lifecycle: an {@code updated} event for every change to a terminal, whichever socket
 * made it, and the hub's shutdown removing the directories of the terminals it ends while keeping those that
 * outlive it.
 */
class SessionLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private AgentwireHub hub;
    private AgentwireClient client;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private void start(AgentwireHub h) throws Exception {
        hub = h;
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .onNotification((m, p) -> {
                    if (m.equals("events/event") && p.path("category").asText().equals("session")) {
                        events.add(p);
                    }
                })
                .connect();
        client.request("events/subscribe", Json.mapper().readTree("{\"categories\":[\"session\"]}"))
                .get(10, TimeUnit.SECONDS);
    }

    private JsonNode call(String method, String params) throws Exception {
        return client.request(method, Json.mapper().readTree(params)).get(30, TimeUnit.SECONDS);
    }

    private String spawn(String command) throws Exception {
        ObjectNode p = Json.mapper().createObjectNode().put("cols", 80).put("rows", 24);
        var cmd = p.putArray("command");
        for (String part : command.split(" ")) {
            cmd.add(part);
        }
        p.putObject("env").put("PS1", "$ ");
        return client.request("terminals/spawn", p)
                .get(30, TimeUnit.SECONDS)
                .path("id")
                .asText();
    }

    /** Waits for an {@code updated} event of {@code id} whose data passes {@code test}, and forgets the events. */
    private void updated(String id, String what, Predicate<JsonNode> test) {
        await("an updated event: " + what)
                .atMost(WAIT)
                .until(() -> events.stream()
                        .anyMatch(e -> e.path("action").asText().equals("updated")
                                && e.path("data").path("id").asText().equals(id)
                                && test.test(e.path("data"))));
        events.clear();
    }

    private static void frame(java.nio.channels.SocketChannel ch, int type, String payload) throws Exception {
        java.nio.ByteBuffer b =
                java.nio.ByteBuffer.wrap(FrameEncoding.typed(type, payload.getBytes(StandardCharsets.UTF_8)));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Test
    void everyChangeToATerminalIsAnUpdatedEventWhicheverSocketMadeIt() throws Exception {
        start(TestHubs.start(TestHubs.shortTempDir()));
        String id = spawn("bash --norc --noprofile");
        Path home = hub.config().home();

        call("terminals/resize", "{\"id\":\"" + id + "\",\"cols\":100,\"rows\":30}");
        updated(
                id,
                "resize on hub.sock",
                d -> d.path("cols").asInt() == 100 && d.path("rows").asInt() == 30);

        call("terminals/title", "{\"id\":\"" + id + "\",\"title\":\"by-method\"}");
        updated(id, "title on hub.sock", d -> d.path("title").asText().equals("by-method"));

        try (RawConnection api = RawConnection.unix(home.resolve("api.sock"))) {
            api.sendLine("{\"command\":\"title\",\"args\":{\"id\":\"" + id + "\",\"title\":\"by-api\"}}");
            assertThat(api.readJson().path("ok").asBoolean()).isTrue();
        }
        updated(id, "title on api.sock", d -> d.path("title").asText().equals("by-api"));

        try (RawConnection control = RawConnection.unix(home.resolve("control.sock"))) {
            control.sendLine("{\"id\":\"1\",\"category\":\"session\",\"type\":\"request\",\"action\":\"resize\","
                    + "\"data\":{\"id\":\"" + id + "\",\"cols\":70,\"rows\":20}}");
            assertThat(control.readJson().path("type").asText()).isEqualTo("response");
            updated(id, "resize on control.sock", d -> d.path("cols").asInt() == 70);
            control.sendLine("{\"id\":\"2\",\"category\":\"session\",\"type\":\"request\",\"action\":\"title\","
                    + "\"data\":{\"id\":\"" + id + "\",\"title\":\"by-control\"}}");
            assertThat(control.readJson().path("type").asText()).isEqualTo("response");
            updated(id, "title on control.sock", d -> d.path("title").asText().equals("by-control"));
        }

        try (java.nio.channels.SocketChannel ipc =
                java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ipc.connect(java.net.UnixDomainSocketAddress.of(
                    home.resolve("control").resolve(id).resolve("ipc.sock")));
            frame(ipc, 0x02, "{\"cmd\":\"resize\",\"cols\":90,\"rows\":25}");
            updated(id, "resize on ipc.sock", d -> d.path("cols").asInt() == 90);
            frame(ipc, 0x02, "{\"cmd\":\"reset-size\"}");
            updated(
                    id,
                    "reset-size on ipc.sock",
                    d -> d.path("cols").asInt() == 80 && d.path("rows").asInt() == 24);
            frame(ipc, 0x02, "{\"cmd\":\"update-title\",\"title\":\"by-ipc\"}");
            updated(id, "title on ipc.sock", d -> d.path("title").asText().equals("by-ipc"));
        }

        // The program's own title (OSC 0), as a terminal emulator would show it.
        call("terminals/input", "{\"id\":\"" + id + "\",\"text\":\"printf '\\\\033]0;%s\\\\007' by-osc\\r\"}");
        updated(id, "title from the program", d -> d.path("title").asText().equals("by-osc"));

        call("terminals/input", "{\"id\":\"" + id + "\",\"text\":\"exit 3\\r\"}");
        await().atMost(WAIT)
                .until(() -> events.stream()
                        .anyMatch(e -> e.path("action").asText().equals("closed")
                                && e.path("data").path("exitCode").asInt() == 3));
    }

    @Test
    void shutdownRemovesTheDirectoriesOfTheTerminalsItEnds() throws Exception {
        start(TestHubs.start(TestHubs.shortTempDir(), b -> b.set("terminals.cleanupDelaySeconds", "3600")));
        Path control = hub.config().home().resolve("control");
        String exited = spawn("sh -c exit");
        await().atMost(WAIT).until(() -> call("terminals/list", "{}").toString().contains("\"exited\""));
        String running = spawn("cat");
        assertThat(control.resolve(exited))
                .as("an exited terminal waits for its cleanup delay")
                .exists();
        client.close();
        client = null;
        hub.close();
        hub = null;
        assertThat(control.resolve(exited)).as("exited before the shutdown").doesNotExist();
        assertThat(control.resolve(running)).as("ended by the shutdown").doesNotExist();
    }

    @Test
    void shutdownKeepsTheTerminalsThatOutliveTheHub() throws Exception {
        start(TestHubs.start(
                TestHubs.shortTempDir(),
                b -> b.terminalForwarder(ProcessForwarders.javaLaunch()).set("terminals.cleanupDelaySeconds", "3600")));
        Path control = hub.config().home().resolve("control");
        String exited = spawn("sh -c exit");
        await().atMost(WAIT).until(() -> call("terminals/list", "{}").toString().contains("\"exited\""));
        String outlives = spawn("cat");
        long pid = -1;
        for (JsonNode t : call("terminals/list", "{}").path("terminals")) {
            if (t.path("id").asText().equals(outlives)) {
                pid = t.path("pid").asLong();
            }
        }
        assertThat(pid).isPositive();
        client.close();
        client = null;
        hub.close();
        hub = null;
        assertThat(control.resolve(exited)).doesNotExist();
        assertThat(control.resolve(outlives).resolve("ipc.sock"))
                .as("its forwarder still serves it")
                .exists();
        assertThat(control.resolve(outlives).resolve("output.cast")).exists();
        // Not left behind by this test: its forwarder ends with the command.
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        // (its forwarder ends with it, and removes ipc.sock)
        await().atMost(WAIT).until(() -> !Files.exists(control.resolve(outlives).resolve("ipc.sock")));
    }
}
