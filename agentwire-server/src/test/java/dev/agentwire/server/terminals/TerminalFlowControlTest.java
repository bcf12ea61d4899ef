package dev.agentwire.server.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flow-controlled viewers ({@code terminals/attach} with {@code flowControl}, {@code terminals/ack}): one that never
 * acknowledges is paused past the high water mark, while the program's output still reaches a viewer that does and
 * {@code output.cast}; when it acknowledges it is sent the screen anew.
 */
class TerminalFlowControlTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private AgentwireHub hub;
    private final List<AgentwireClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("terminals.cleanupDelaySeconds", "3600"));
    }

    @AfterEach
    void stop() {
        clients.forEach(AgentwireClient::close);
        hub.close();
    }

    /** A viewer's client: the {@code terminals/output} notifications it got, in order. */
    private AgentwireClient viewer(List<JsonNode> notes) throws Exception {
        return viewer(notes, p -> {});
    }

    /** The same, calling {@code then} with each notification after it is recorded. */
    private AgentwireClient viewer(List<JsonNode> notes, Consumer<JsonNode> then) throws Exception {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .onNotification((m, p) -> {
                    if (m.equals("terminals/output")) {
                        notes.add(p);
                        then.accept(p);
                    }
                })
                .connect();
        clients.add(c);
        return c;
    }

    private static String text(List<JsonNode> notes) {
        StringBuilder b = new StringBuilder();
        notes.forEach(n -> b.append(n.path("data").asText()));
        return b.toString();
    }

    @Test
    void aViewerThatNeverAcknowledgesIsPausedAndNeitherTheProgramNorAFastViewerWaits() throws Exception {
        List<JsonNode> slowNotes = new CopyOnWriteArrayList<>();
        List<JsonNode> fastNotes = new CopyOnWriteArrayList<>();
        AgentwireClient slow = viewer(slowNotes);
        // The fast viewer acknowledges each output as it gets it, as xterm.js's write callback would.
        AtomicReference<AgentwireClient> fastClient = new AtomicReference<>();
        AtomicReference<String> terminal = new AtomicReference<>();
        AgentwireClient fast = viewer(
                fastNotes,
                p -> fastClient
                        .get()
                        .request(
                                "terminals/ack",
                                Json.mapper()
                                        .createObjectNode()
                                        .put("id", terminal.get())
                                        .put("chars", p.path("data").asText().length())));
        fastClient.set(fast);
        ObjectNode spawn = Json.mapper().createObjectNode();
        // About 3 MB of lines, far past the high water mark, once both viewers are attached.
        spawn.putArray("command")
                .add("sh")
                .add("-c")
                .add("stty -echo; read go; i=0; while [ $i -lt 3000 ]; do printf '%01000d\\n' $i; i=$((i+1)); done;"
                        + " echo THE-END");
        spawn.put("cols", 100).put("rows", 30);
        String id = fast.request("terminals/spawn", spawn)
                .get(30, TimeUnit.SECONDS)
                .path("id")
                .asText();
        terminal.set(id); // the program prints nothing before it reads "go", so no output comes before this
        JsonNode attached = slow.request(
                        "terminals/attach",
                        Json.mapper().createObjectNode().put("id", id).put("flowControl", true))
                .get(30, TimeUnit.SECONDS);
        long high = attached.path("flowControl").path("highWater").asLong();
        assertThat(high).as("the attach answer gives the high water mark").isPositive();
        fast.request(
                        "terminals/attach",
                        Json.mapper().createObjectNode().put("id", id).put("flowControl", true))
                .get(30, TimeUnit.SECONDS);
        fast.request(
                        "terminals/input",
                        Json.mapper().createObjectNode().put("id", id).put("text", "go\r"))
                .get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> text(fastNotes).contains("THE-END"));
        Path cast = hub.config().home().resolve("control").resolve(id).resolve("output.cast");
        await().atMost(WAIT).until(() -> Files.readString(cast).contains("THE-END"));
        assertThat(text(fastNotes)).contains("0000000000002999");
        long slowGot = text(slowNotes).length();
        assertThat(slowGot)
                .as("characters sent to a viewer that never acknowledged (high water mark %d)", high)
                .isLessThan(high + 64 * 1024);
        assertThat(slowNotes).noneMatch(n -> n.path("anew").asBoolean());

        // It catches up: acknowledging all it got brings it under the low water mark, and it gets the screen.
        slow.request(
                        "terminals/ack",
                        Json.mapper().createObjectNode().put("id", id).put("chars", slowGot))
                .get(10, TimeUnit.SECONDS);
        await().atMost(WAIT)
                .until(() -> slowNotes.stream().anyMatch(n -> n.path("anew").asBoolean()));
        JsonNode anew = slowNotes.stream()
                .filter(n -> n.path("anew").asBoolean())
                .findFirst()
                .orElseThrow();
        assertThat(anew.path("data").asText()).startsWith("\u001bc").contains("THE-END");
    }

    @Test
    void ackWithoutFlowControlIsRefused() throws Exception {
        AgentwireClient c = viewer(new CopyOnWriteArrayList<>());
        ObjectNode spawn = Json.mapper().createObjectNode();
        spawn.putArray("command").add("sleep").add("30");
        String id = c.request("terminals/spawn", spawn)
                .get(30, TimeUnit.SECONDS)
                .path("id")
                .asText();
        c.request("terminals/attach", Json.mapper().createObjectNode().put("id", id))
                .get(30, TimeUnit.SECONDS);
        var failure = c.request(
                "terminals/ack", Json.mapper().createObjectNode().put("id", id).put("chars", 10));
        assertThat(failure)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(Exception.class)
                .withMessageContaining("flowControl");
    }
}
