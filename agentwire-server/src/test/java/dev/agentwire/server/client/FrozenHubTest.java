package dev.agentwire.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ConnectionEvent;
import dev.agentwire.client.ConnectionLostException;
import dev.agentwire.server.testing.ChildHub;
import dev.agentwire.server.testing.TestHubs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Java client against a hub in another process that is frozen with {@code kill -STOP}: its Unix socket
 * stays open and the kernel keeps accepting bytes, so only the client's liveness pings can tell. The client
 * reports the loss within a few ping intervals and reconnects once the hub runs again.
 */
class FrozenHubTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theClientNoticesAFrozenHubAndReconnectsWhenItResumes() throws Exception {
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        try (ChildHub hub = ChildHub.start(TestHubs.shortTempDir().resolve("home"))) {
            hub.warmUp();
            try (AgentwireClient client = AgentwireClient.builder()
                    .endpoint(hub.endpoint())
                    .idlePing(Duration.ofSeconds(2))
                    .requestTimeout(Duration.ofSeconds(10))
                    .backoff(attempt -> Duration.ofMillis(200))
                    .onConnectionEvent((event, c) -> events.add(event))
                    .connect()) {
                assertThat(pong(client)).isTrue();

                hub.stop();
                CompletableFuture<?> inFlight = client.request("hub/ping", null, Duration.ofMinutes(5));
                await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.DISCONNECTED));
                assertThat(inFlight)
                        .as("a call in flight fails with the loss, long before its own 5-minute timeout")
                        .failsWithin(WAIT)
                        .withThrowableOfType(ExecutionException.class)
                        .havingCause()
                        .isInstanceOf(ConnectionLostException.class)
                        .withMessageContaining("hub/ping unanswered");

                hub.resume();
                await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.RECONNECTED));
                assertThat(pong(client)).isTrue();
            }
        }
    }

    private static boolean pong(AgentwireClient client) throws Exception {
        return client.request("hub/ping").get(10, TimeUnit.SECONDS).path("pong").asBoolean();
    }
}
