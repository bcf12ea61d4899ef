package dev.agentwire.server.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.HubEvent;
import dev.agentwire.server.testing.TestHubs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedder's events through {@link AgentwireHub#on} (the BTCP seed's {@code server.on('session:created', ...)}):
 * each kind from a real hub and a real client, on the hub's own events thread, and a listener that throws or
 * blocks leaves the hub working.
 */
class EmbedderEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<HubEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private AgentwireHub hub;

    @BeforeEach
    void build() throws Exception {
        hub = AgentwireHub.builder()
                .home(TestHubs.shortTempDir().resolve("home"))
                .set("clientPort", "0")
                .set("limits.shutdownGraceMs", "2000")
                .build();
        for (HubEvent.Type t : HubEvent.Type.values()) {
            hub.on(t.eventName(), e -> {
                threads.add(Thread.currentThread().getName());
                events.add(e);
            });
        }
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private AgentwireClient client() {
        return AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name("agent")
                .reconnect(false)
                .connect();
    }

    private HubEvent awaitEvent(HubEvent.Type type, Predicate<HubEvent> match) {
        await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e.type() == type && match.test(e)));
        return events.stream()
                .filter(e -> e.type() == type && match.test(e))
                .findFirst()
                .orElseThrow();
    }

    private String createSession(AgentwireClient c, Long ttl) throws Exception {
        var params = Json.mapper().createObjectNode().put("name", "work");
        if (ttl != null) {
            params.put("ttl", ttl);
        }
        return c.request("sessions/create", params)
                .get(10, TimeUnit.SECONDS)
                .path("sessionId")
                .asText();
    }

    @Test
    void connectionOpenedAndClosed() throws Exception {
        hub.start();
        long id;
        try (AgentwireClient c = client()) {
            id = c.hello().path("connectionId").asLong();
            HubEvent opened = awaitEvent(HubEvent.Type.CONNECTION_OPENED, e -> true);
            assertThat(opened.text("transport")).isEqualTo("unix");
            assertThat(opened.data().path("connectionId").asLong()).isEqualTo(id);
        }
        HubEvent closed = awaitEvent(
                HubEvent.Type.CONNECTION_CLOSED,
                e -> e.data().path("connectionId").asLong() == id);
        assertThat(closed.text("name")).isEqualTo("agent");
        assertThat(closed.text("subject")).startsWith("uid:");
        assertThat(threads).containsOnly("aw-embedder-events");
    }

    @Test
    void sessionCreated() throws Exception {
        hub.start();
        try (AgentwireClient c = client()) {
            String id = createSession(c, null);
            HubEvent created = awaitEvent(HubEvent.Type.SESSION_CREATED, e -> true);
            assertThat(created.text("sessionId")).isEqualTo(id);
            assertThat(created.text("name")).isEqualTo("work");
            assertThat(created.text("owner")).startsWith("uid:");
        }
    }

    @Test
    void sessionClosed() throws Exception {
        hub.start();
        try (AgentwireClient c = client()) {
            String id = createSession(c, null);
            c.request("sessions/close", Json.mapper().createObjectNode().put("sessionId", id))
                    .get(10, TimeUnit.SECONDS);
            HubEvent closed = awaitEvent(HubEvent.Type.SESSION_CLOSED, e -> true);
            assertThat(closed.text("sessionId")).isEqualTo(id);
            assertThat(closed.text("reason")).isEqualTo("closed");
        }
        assertThat(events).noneMatch(e -> e.type() == HubEvent.Type.SESSION_EXPIRED);
    }

    @Test
    void sessionExpired() throws Exception {
        hub.start();
        try (AgentwireClient c = client()) {
            String id = createSession(c, 1L);
            HubEvent expired = awaitEvent(HubEvent.Type.SESSION_EXPIRED, e -> true);
            assertThat(expired.text("sessionId")).isEqualTo(id);
            assertThat(expired.text("reason")).isEqualTo("ttl");
        }
        assertThat(events).noneMatch(e -> e.type() == HubEvent.Type.SESSION_CLOSED);
    }

    @Test
    void toolRegisteredAndUnregistered() throws Exception {
        hub.start();
        try (AgentwireClient c = client()) {
            c.tools()
                    .register(ToolSpec.of("echo", "echoes"), (a, ctx) -> CompletableFuture.completedFuture(a))
                    .get(10, TimeUnit.SECONDS);
            HubEvent registered = awaitEvent(HubEvent.Type.TOOL_REGISTERED, e -> true);
            assertThat(registered.text("tool")).isEqualTo("echo");
            assertThat(registered.text("sessionId")).isEqualTo("default");
            assertThat(registered.text("subject")).startsWith("uid:");
            c.tools().unregister("echo").get(10, TimeUnit.SECONDS);
            HubEvent unregistered = awaitEvent(HubEvent.Type.TOOL_UNREGISTERED, e -> true);
            assertThat(unregistered.text("tool")).isEqualTo("echo");
        }
    }

    @Test
    void aListenerThatThrowsIsLoggedAndTheOthersAndTheHubGoOn() throws Exception {
        hub.on("connection:opened", e -> {
            throw new IllegalStateException("listener bug");
        });
        hub.start();
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
            try (AgentwireClient c = client()) {
                assertThat(c.request("hub/ping").get(10, TimeUnit.SECONDS)).isNotNull();
            }
            try (AgentwireClient c = client()) {
                createSession(c, null);
            }
            await().atMost(WAIT)
                    .until(() -> events.stream()
                                    .filter(e -> e.type() == HubEvent.Type.CONNECTION_OPENED)
                                    .count()
                            == 2);
            awaitEvent(HubEvent.Type.SESSION_CREATED, e -> true);
            await().atMost(WAIT)
                    .until(() -> buf.toString(java.nio.charset.StandardCharsets.UTF_8)
                            .contains("embedder listener for connection:opened failed"));
        } finally {
            System.setErr(original);
        }
        assertThat(buf.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("listener bug");
    }

    @Test
    void aListenerThatBlocksHoldsNoEventLoop() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        hub.on(HubEvent.Type.CONNECTION_OPENED, e -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        });
        hub.start();
        try (AgentwireClient first = client();
                AgentwireClient second = client()) {
            assertThat(first.request("hub/ping").get(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(createSession(second, null)).hasSize(32);
            assertThat(events)
                    .as("the later events wait behind the blocked listener")
                    .noneMatch(e -> e.type() == HubEvent.Type.SESSION_CREATED);
        } finally {
            release.countDown();
        }
        awaitEvent(HubEvent.Type.SESSION_CREATED, e -> true);
    }

    @Test
    void anUnknownEventNameIsRefused() {
        assertThatThrownBy(() -> hub.on("session:exploded", e -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("session:exploded")
                .hasMessageContaining("session:created");
    }
}
