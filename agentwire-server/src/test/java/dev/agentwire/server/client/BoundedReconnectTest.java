package dev.agentwire.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ConnectionEvent;
import dev.agentwire.client.ReconnectFailedException;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Reconnect as the ElizaOS seed configures it: {@code maxReconnectAttempts(n)} gives up after n failed attempts
 * with {@link ConnectionEvent#RECONNECT_FAILED} and a {@link ReconnectFailedException}; unset, the client retries
 * for as long as it takes and rejoins its rooms. Real hubs, stopped and started again on the same socket.
 */
class BoundedReconnectTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void givesUpAfterTheAttemptsItWasGivenWithAClearError() throws Exception {
        Path dir = TestHubs.shortTempDir();
        AgentwireHub hub = TestHubs.start(dir);
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .maxReconnectAttempts(3)
                .backoff(attempt -> {
                    attempts.incrementAndGet();
                    return Duration.ofMillis(20);
                })
                .onConnectionEvent((e, client) -> events.add(e))
                .connect();
        try {
            hub.close();
            await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.CLOSED));
            assertThat(events)
                    .containsExactly(
                            ConnectionEvent.CONNECTED,
                            ConnectionEvent.DISCONNECTED,
                            ConnectionEvent.RECONNECT_FAILED,
                            ConnectionEvent.CLOSED);
            assertThat(attempts).as("reconnect attempts made").hasValue(3);
            ReconnectFailedException failure = c.failure().orElseThrow();
            assertThat(failure.attempts()).isEqualTo(3);
            assertThat(failure.getMessage())
                    .contains("gave up reconnecting to " + hub.endpoint())
                    .contains("after 3 attempts (maxReconnectAttempts=3)");
            assertThat(failure.getCause()).as("the last attempt's failure").isNotNull();
            assertThatThrownBy(() -> c.request("hub/ping").get(10, TimeUnit.SECONDS))
                    .cause()
                    .isSameAs(failure);
        } finally {
            c.close();
        }
    }

    @Test
    void byDefaultItRetriesUntilTheHubIsBackAndRejoinsItsRooms() throws Exception {
        Path dir = TestHubs.shortTempDir();
        AgentwireHub hub = TestHubs.start(dir);
        AgentwireHub second = null;
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        List<JsonNode> got = new CopyOnWriteArrayList<>();
        try (AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .backoff(attempt -> {
                    attempts.incrementAndGet();
                    return Duration.ofMillis(20);
                })
                .onConnectionEvent((e, client) -> events.add(e))
                .connect()) {
            c.rooms().join("lobby", got::add).get(10, TimeUnit.SECONDS);
            try (AgentwireClient writer = AgentwireClient.builder()
                    .endpoint(hub.endpoint())
                    .reconnect(false)
                    .connect()) {
                writer.rooms().publish("lobby", "before", null).get(10, TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> got.size() == 1);
            hub.close();
            await().atMost(WAIT).until(() -> attempts.get() > 5); // past the seed's 5, and still trying
            assertThat(events).doesNotContain(ConnectionEvent.RECONNECT_FAILED, ConnectionEvent.CLOSED);
            second = TestHubs.start(dir);
            try (AgentwireClient writer = AgentwireClient.builder()
                    .endpoint(second.endpoint())
                    .reconnect(false)
                    .connect()) {
                writer.rooms().publish("lobby", "while it came back", null).get(10, TimeUnit.SECONDS);
                await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.RECONNECTED));
                writer.rooms().publish("lobby", "after", null).get(10, TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> got.size() == 3);
            assertThat(got.stream().map(m -> m.path("text").asText()))
                    .as("nothing missed, nothing twice")
                    .containsExactly("before", "while it came back", "after");
            assertThat(c.failure()).isEmpty();
        } finally {
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void zeroOrNegativeAttemptsAreRefusedWhenBuilding() {
        for (int bad : new int[] {0, -1}) {
            assertThatThrownBy(() -> AgentwireClient.builder().maxReconnectAttempts(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxReconnectAttempts must be 1 or more (leave it unset to retry forever), got " + bad);
        }
    }
}
