package dev.agentwire.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.BackoffPolicy;
import dev.agentwire.client.ClientPool;
import dev.agentwire.client.ConnectionEvent;
import dev.agentwire.client.ConnectionLostException;
import dev.agentwire.client.HubUnavailableException;
import dev.agentwire.client.RpcException;
import dev.agentwire.client.Scheduler;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The Java client against a real hub: discovery, TCP with token, timeouts, notifications, reconnect, pool. */
class ClientAgainstHubTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A scheduler that runs nothing until the test says so, and remembers the delays it was given. */
    static final class ManualScheduler implements Scheduler {
        final List<Duration> delays = new CopyOnWriteArrayList<>();
        final List<Runnable> tasks = new CopyOnWriteArrayList<>();

        @Override
        public Cancellable schedule(Runnable task, Duration delay) {
            delays.add(delay);
            tasks.add(task);
            return () -> tasks.remove(task);
        }

        void runNext() {
            Runnable t = tasks.remove(0);
            t.run();
        }
    }

    @Test
    void findsTheLocalHubThroughHubJson() throws Exception {
        Path dir = TestHubs.shortTempDir();
        try (AgentwireHub hub = TestHubs.start(dir);
                AgentwireClient c = AgentwireClient.builder()
                        .environment(
                                Map.of("AGENTWIRE_HOME", hub.config().home().toString()))
                        .name("finder")
                        .connect()) {
            assertThat(c.endpoint().toString()).isEqualTo(hub.endpoint());
            assertThat(c.hello().path("authenticated").asBoolean()).isTrue();
            assertThat(c.request("hub/ping")
                            .get(10, TimeUnit.SECONDS)
                            .path("pong")
                            .asBoolean())
                    .isTrue();
            assertThat(hub.core().connections()).extracting(conn -> conn.name()).contains("finder");
        }
    }

    @Test
    void connectsOverTcpWithTheTokenFromHome() throws Exception {
        Path dir = TestHubs.shortTempDir();
        try (AgentwireHub hub = TestHubs.start(dir);
                AgentwireClient c = AgentwireClient.builder()
                        .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                        .environment(
                                Map.of("AGENTWIRE_HOME", hub.config().home().toString()))
                        .connect()) {
            assertThat(c.hello().path("peer").path("transport").asText()).isEqualTo("tcp");
            assertThat(c.request("hub/status")
                            .get(10, TimeUnit.SECONDS)
                            .path("connections")
                            .path("tcp")
                            .asInt())
                    .isEqualTo(1);
        }
    }

    @Test
    void aWrongTokenIsRefusedAtConnect() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir())) {
            assertThatThrownBy(() -> AgentwireClient.builder()
                            .endpoint("tcp://127.0.0.1:" + hub.tcpPort().getAsInt())
                            .token("wrong")
                            .reconnect(false)
                            .connect())
                    .isInstanceOf(RpcException.class)
                    .satisfies(e -> assertThat(((RpcException) e).reason()).isEqualTo("bad_token"));
        }
    }

    @Test
    void noHubIsHubUnavailableNamingThePath() throws Exception {
        Path dir = TestHubs.shortTempDir();
        assertThatThrownBy(() -> AgentwireClient.builder()
                        .environment(Map.of("AGENTWIRE_HOME", dir.toString()))
                        .reconnect(false)
                        .connect())
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining("no hub at unix:" + dir.resolve("hub.sock"))
                .hasMessageContaining("aw hub");
    }

    @Test
    void errorsAndTimeoutsFailTheFuture() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir())) {
            hub.core()
                    .registry()
                    .register(Method.of(
                            "test/never",
                            dev.agentwire.core.rpc.Access.authenticated(),
                            call -> new CompletableFuture<>()));
            try (AgentwireClient c =
                    AgentwireClient.builder().endpoint(hub.endpoint()).connect()) {
                assertThatThrownBy(() -> c.request("no/such").get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(RpcException.class)
                        .satisfies(
                                e -> assertThat(((RpcException) e).errorCode()).contains(ErrorCode.METHOD_NOT_FOUND));
                assertThatThrownBy(() -> c.request("test/never", null, Duration.ofMillis(200))
                                .get(10, TimeUnit.SECONDS))
                        .cause()
                        .isInstanceOf(RpcException.class)
                        .hasMessageContaining("request test/never timed out after 200 ms")
                        .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(-32001));
                assertThat(c.pendingRequests()).isZero();
            }
        }
    }

    @Test
    void reconnectsWithBackoffRunsHooksAndTellsListeners() throws Exception {
        Path dir = TestHubs.shortTempDir();
        AgentwireHub hub = TestHubs.start(dir);
        ManualScheduler scheduler = new ManualScheduler();
        List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        AtomicInteger hooks = new AtomicInteger();
        AgentwireHub second = null;
        try (AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .scheduler(scheduler)
                .backoff(BackoffPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30), 0, () -> 0.5))
                .onConnectionEvent((e, client) -> events.add(e))
                .connect()) {
            c.onReconnect(client -> {
                hooks.incrementAndGet();
                return client.request("hub/ping");
            });
            hub.core()
                    .registry()
                    .register(Method.of(
                            "test/never",
                            dev.agentwire.core.rpc.Access.authenticated(),
                            call -> new CompletableFuture<>()));
            CompletableFuture<JsonNode> inFlight = c.request("test/never");
            await().atMost(WAIT).until(() -> hub.core().inflight() == 1);
            hub.close();
            assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(ConnectionLostException.class);
            await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.DISCONNECTED));
            await().atMost(WAIT).until(() -> scheduler.tasks.size() == 1);
            scheduler.runNext(); // no hub yet: this attempt fails and schedules the next
            await().atMost(WAIT).until(() -> scheduler.tasks.size() == 1);
            scheduler.runNext();
            await().atMost(WAIT).until(() -> scheduler.tasks.size() == 1);
            assertThat(scheduler.delays)
                    .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
            second = TestHubs.start(dir);
            scheduler.runNext();
            await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.RECONNECTED));
            assertThat(hooks).hasValue(1);
            assertThat(c.request("hub/ping")
                            .get(10, TimeUnit.SECONDS)
                            .path("pong")
                            .asBoolean())
                    .isTrue();
            assertThat(events)
                    .containsSubsequence(
                            ConnectionEvent.CONNECTED, ConnectionEvent.DISCONNECTED, ConnectionEvent.RECONNECTED);
        } finally {
            if (second != null) {
                second.close();
            }
        }
        await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.CLOSED));
    }

    @Test
    void notificationsReachListeners() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir());
                AgentwireClient c =
                        AgentwireClient.builder().endpoint(hub.endpoint()).connect()) {
            List<JsonNode> got = new CopyOnWriteArrayList<>();
            c.onNotification("events/event", got::add);
            var data = Json.mapper().createObjectNode().put("n", 1);
            hub.core().events().publish("system", "test", data, hub.core().connections());
            await().atMost(WAIT).until(() -> got.size() == 1);
            assertThat(got.get(0).path("category").asText()).isEqualTo("system");
            assertThat(got.get(0).path("data").path("n").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aPoolSpreadsRequestsRoundRobin() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir());
                ClientPool pool =
                        ClientPool.connect(3, () -> AgentwireClient.builder().endpoint(hub.endpoint()))) {
            assertThat(pool.size()).isEqualTo(3);
            Set<Long> ids = new HashSet<>();
            List<Long> order = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                AgentwireClient c = pool.next();
                long id = c.hello().path("connectionId").asLong();
                ids.add(id);
                order.add(id);
                assertThat(c.request("hub/ping").get(10, TimeUnit.SECONDS).has("pong"))
                        .isTrue();
            }
            assertThat(ids).hasSize(3);
            assertThat(order.subList(0, 3)).isEqualTo(order.subList(3, 6));
            assertThat(hub.core().connections()).hasSize(3);
        }
    }

    @Test
    void manyConcurrentRequestsEachGetTheirOwnAnswer() throws Exception {
        try (AgentwireHub hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("limits.ratePerSecond", "0"));
                AgentwireClient c =
                        AgentwireClient.builder().endpoint(hub.endpoint()).connect()) {
            List<CompletableFuture<JsonNode>> futures = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                futures.add(c.request(i % 2 == 0 ? "hub/ping" : "hub/status"));
            }
            for (int i = 0; i < futures.size(); i++) {
                JsonNode r = futures.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.has(i % 2 == 0 ? "pong" : "pid"))
                        .as("answer %d", i)
                        .isTrue();
            }
        }
    }
}
