package dev.agentwire.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's side of liveness against a hub the test plays: it answers the hub's {@code ping}, pings a hub
 * that has been silent for its interval, and drops (and reconnects) a connection after two unanswered pings.
 */
class ClientLivenessTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Path dir;
    private ScriptedHub hub;
    private final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "awc");
        hub = new ScriptedHub(dir.resolve("hub.sock"));
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
        Files.deleteIfExists(dir);
    }

    private AgentwireClient connect(Duration idlePing) throws Exception {
        AgentwireClient.Builder b = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .idlePing(idlePing)
                .requestTimeout(WAIT)
                .backoff(attempt -> Duration.ofMillis(50))
                .onConnectionEvent((event, client) -> events.add(event));
        var connecting = new java.util.concurrent.CompletableFuture<AgentwireClient>();
        Thread t = new Thread(() -> {
            try {
                connecting.complete(b.connect());
            } catch (RuntimeException e) {
                connecting.completeExceptionally(e);
            }
        });
        t.start();
        hub.accept().answerHello(WAIT);
        return connecting.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Test
    void answersTheHubsPingWithAnEmptyResult() throws Exception {
        try (AgentwireClient client = connect(Duration.ZERO)) {
            hub.send("{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"ping\"}");
            JsonNode answer = hub.read(WAIT);
            assertThat(answer.path("id").asInt()).isEqualTo(99);
            assertThat(answer.has("error")).as("no error: %s", answer).isFalse();
            assertThat(answer.path("result").isObject()).isTrue();
            assertThat(answer.path("result").size()).isZero();
            assertThat(client.isConnected()).isTrue();
        }
    }

    @Test
    void pingsASilentHubAndStaysWhileItAnswers() throws Exception {
        try (AgentwireClient client = connect(Duration.ofMillis(300))) {
            for (int i = 0; i < 4; i++) {
                JsonNode ping = hub.read(WAIT);
                assertThat(ping.path("method").asText()).isEqualTo("hub/ping");
                hub.reply(ping, "{\"pong\":true}");
            }
            assertThat(client.isConnected()).isTrue();
            assertThat(events).containsExactly(ConnectionEvent.CONNECTED);
        }
    }

    @Test
    void dropsTheConnectionAfterTwoUnansweredPingsAndReconnects() throws Exception {
        try (AgentwireClient client = connect(Duration.ofMillis(300))) {
            assertThat(hub.read(WAIT).path("method").asText()).isEqualTo("hub/ping");
            assertThat(hub.read(WAIT).path("method").asText()).isEqualTo("hub/ping");
            hub.assertClosedByClient(WAIT);
            Awaitility.await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.DISCONNECTED));
            hub.accept().answerHello(WAIT);
            Awaitility.await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.RECONNECTED));
            assertThat(events)
                    .containsExactly(
                            ConnectionEvent.CONNECTED, ConnectionEvent.DISCONNECTED, ConnectionEvent.RECONNECTED);
            assertThat(client.isConnected()).isTrue();
        }
    }
}
