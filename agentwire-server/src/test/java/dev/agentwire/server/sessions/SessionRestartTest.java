package dev.agentwire.server.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ConnectionEvent;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.HubEvent;
import dev.agentwire.server.testing.TestHubs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions outlive a hub restart (docs/PROTOCOL.md, sessions): kept in {@code hub.db} with their TTL, brought back
 * by the next hub on the same home, rejoined by a client built with {@code .session(id)}; one whose TTL ran out
 * while the hub was down is gone with {@code session:expired}; ownership holds across the restart; a stored row that
 * makes no sense is skipped and the hub starts.
 */
class SessionRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private AgentwireHub hub(Path dir, List<HubEvent> events) {
        AgentwireHub h = AgentwireHub.builder()
                .home(dir.resolve("home"))
                .set("clientPort", "0")
                .set("limits.shutdownGraceMs", "2000")
                .build();
        h.on(HubEvent.Type.SESSION_EXPIRED, events::add);
        h.start();
        open.add(h);
        return h;
    }

    private AgentwireClient owner(AgentwireHub h) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(h.endpoint())
                .reconnect(false)
                .connect();
        open.add(c);
        return c;
    }

    private static JsonNode create(AgentwireClient c, String name, long ttl) throws Exception {
        return c.request(
                        "sessions/create",
                        Json.mapper().createObjectNode().put("name", name).put("ttl", ttl))
                .get(10, TimeUnit.SECONDS);
    }

    private static JsonNode list(AgentwireClient c) throws Exception {
        return c.request("sessions/list").get(10, TimeUnit.SECONDS);
    }

    private AgentwireClient tcp(AgentwireHub h, String token, String session) {
        AgentwireClient c = AgentwireClient.builder()
                .endpoint("tcp://127.0.0.1:" + h.tcpPort().getAsInt())
                .token(token)
                .session(session)
                .reconnect(false)
                .connect();
        open.add(c);
        return c;
    }

    private static String mint(AgentwireClient owner, String sub, String... scopes) throws Exception {
        var params = Json.mapper().createObjectNode().put("sub", sub).put("ttlSeconds", 600);
        for (String s : scopes) {
            params.withArray("scopes").add(s);
        }
        return owner.request("tokens/create", params)
                .get(10, TimeUnit.SECONDS)
                .path("token")
                .asText();
    }

    @Test
    void aClientBuiltWithItsSessionRejoinsItAfterTheHubRestarts() throws Exception {
        Path dir = TestHubs.shortTempDir();
        List<HubEvent> expired = new CopyOnWriteArrayList<>();
        AgentwireHub first = hub(dir, expired);
        JsonNode made = create(owner(first), "work", 3600);
        String id = made.path("sessionId").asText();
        List<Runnable> reconnects = new CopyOnWriteArrayList<>();
        List<ConnectionEvent> seen = new CopyOnWriteArrayList<>();
        AgentwireClient member = AgentwireClient.builder()
                .endpoint(first.endpoint())
                .session(id)
                .scheduler((task, delay) -> {
                    reconnects.add(task);
                    return () -> reconnects.remove(task);
                })
                .onConnectionEvent((event, client) -> seen.add(event))
                .connect();
        open.add(member);
        assertThat(member.hello().path("sessionId").asText()).isEqualTo(id);
        member.tools()
                .register(
                        dev.agentwire.client.ToolSpec.of("echo", "echoes"),
                        (args, ctx) -> java.util.concurrent.CompletableFuture.completedFuture(args))
                .get(10, TimeUnit.SECONDS);

        first.close();
        await().atMost(WAIT).until(() -> reconnects.size() == 1);
        AgentwireHub second = hub(dir, expired);
        reconnects.remove(0).run();
        await().atMost(WAIT).until(() -> seen.contains(ConnectionEvent.RECONNECTED));

        assertThat(member.hello().path("sessionId").asText()).isEqualTo(id);
        JsonNode after = list(member);
        assertThat(after.path("current").asText()).isEqualTo(id);
        JsonNode session = find(after, id);
        assertThat(session.path("name").asText()).isEqualTo("work");
        assertThat(session.path("createdAt").asLong())
                .isEqualTo(made.path("createdAt").asLong());
        assertThat(session.path("expiresAt").asLong())
                .as("the same TTL, counted from the same creation")
                .isEqualTo(made.path("expiresAt").asLong());
        assertThat(expired).isEmpty();
        assertThat(reconnects)
                .as("no further attempt: it did not loop on -32007")
                .isEmpty();
        AgentwireClient caller = AgentwireClient.builder()
                .endpoint(second.endpoint())
                .session(id)
                .reconnect(false)
                .connect();
        open.add(caller);
        assertThat(caller.tools()
                        .call("echo", Json.mapper().createObjectNode().put("text", "back"))
                        .get(10, TimeUnit.SECONDS)
                        .path("isError")
                        .asBoolean())
                .as("its provider registered its tool in the restored session again")
                .isFalse();

        // Closed sessions do not come back.
        member.request("sessions/close", Json.mapper().createObjectNode().put("sessionId", id))
                .get(10, TimeUnit.SECONDS);
        second.close();
        AgentwireHub third = hub(dir, expired);
        assertThat(list(owner(third)).path("sessions").findValuesAsText("sessionId"))
                .doesNotContain(id);
    }

    @Test
    void aRestoredSessionRefusesAnotherIdentityAsBefore() throws Exception {
        Path dir = TestHubs.shortTempDir();
        List<HubEvent> expired = new CopyOnWriteArrayList<>();
        AgentwireHub first = hub(dir, expired);
        AgentwireClient owner = owner(first);
        String alice = mint(owner, "alice");
        String bob = mint(owner, "bob");
        AgentwireClient a = tcp(first, alice, "default");
        String id = create(a, "alice's", 3600).path("sessionId").asText();
        String given = mint(owner, "carol", "sessions:" + id);
        first.close();

        AgentwireHub second = hub(dir, expired);
        assertThat(tcp(second, alice, id).hello().path("sessionId").asText()).isEqualTo(id);
        assertThatThrownBy(() -> tcp(second, bob, id))
                .isInstanceOf(RpcException.class)
                .satisfies(e -> {
                    RpcException r = (RpcException) e;
                    assertThat(r.code()).isEqualTo(-32005);
                    assertThat(r.data().path("reason").asText()).isEqualTo("not_your_session");
                });
        AgentwireClient b = tcp(second, bob, "default");
        assertThat(list(b).path("sessions").findValuesAsText("sessionId")).doesNotContain(id);
        assertThat(b.request("sessions/close", Json.mapper().createObjectNode().put("sessionId", id)))
                .failsWithin(10, TimeUnit.SECONDS);
        assertThat(tcp(second, given, id).hello().path("sessionId").asText())
                .as("a token given sessions:<id> before the restart still enters it")
                .isEqualTo(id);
    }

    @Test
    void aSessionWhoseTtlRanOutWhileTheHubWasDownIsGoneWithAnEvent() throws Exception {
        Path dir = TestHubs.shortTempDir();
        List<HubEvent> expired = new CopyOnWriteArrayList<>();
        AgentwireHub first = hub(dir, expired);
        AgentwireClient owner = owner(first);
        JsonNode shortLived = create(owner, "brief", 1);
        String kept = create(owner, "kept", 3600).path("sessionId").asText();
        first.close();
        long expiresAt = shortLived.path("expiresAt").asLong();
        await().atMost(WAIT).until(() -> System.currentTimeMillis() > expiresAt);

        AgentwireHub second = hub(dir, expired);
        String id = shortLived.path("sessionId").asText();
        await().atMost(WAIT).until(() -> !expired.isEmpty());
        assertThat(expired).singleElement().satisfies(e -> {
            assertThat(e.text("sessionId")).isEqualTo(id);
            assertThat(e.text("name")).isEqualTo("brief");
            assertThat(e.text("reason")).isEqualTo("ttl");
        });
        AgentwireClient again = owner(second);
        assertThat(list(again).path("sessions").findValuesAsText("sessionId"))
                .contains(kept)
                .doesNotContain(id);
        assertThatThrownBy(() -> AgentwireClient.builder()
                        .endpoint(second.endpoint())
                        .session(id)
                        .reconnect(false)
                        .connect())
                .isInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(-32007));
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("home/hub.db"));
                var q = db.prepareStatement("SELECT count(*) FROM sessions WHERE id = ?")) {
            q.setString(1, id);
            try (var r = q.executeQuery()) {
                assertThat(r.getInt(1)).as("its row is gone too").isZero();
            }
        }
    }

    @Test
    void aClientWhoseSessionExpiredWhileTheHubWasDownStopsWithAClearErrorInsteadOfLooping() throws Exception {
        Path dir = TestHubs.shortTempDir();
        List<HubEvent> expired = new CopyOnWriteArrayList<>();
        AgentwireHub first = hub(dir, expired);
        JsonNode brief = create(owner(first), "brief", 2);
        String id = brief.path("sessionId").asText();
        List<dev.agentwire.client.ConnectionEvent> events = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        AgentwireClient member = AgentwireClient.builder()
                .endpoint(first.endpoint())
                .session(id)
                .backoff(attempt -> {
                    attempts.incrementAndGet();
                    return Duration.ofMillis(100);
                })
                .onConnectionEvent((e, c) -> events.add(e))
                .connect();
        open.add(member);
        first.close();
        long expiresAt = brief.path("expiresAt").asLong();
        await().atMost(WAIT).until(() -> System.currentTimeMillis() > expiresAt);
        hub(dir, expired);
        // The session is gone for good: the client says so once, instead of retrying -32007 for ever.
        await().atMost(WAIT).until(() -> events.contains(dev.agentwire.client.ConnectionEvent.CLOSED));
        assertThat(events).contains(dev.agentwire.client.ConnectionEvent.RECONNECT_FAILED);
        var failure = member.failure().orElseThrow();
        assertThat(failure.getMessage()).contains("session " + id).contains("no longer exists");
        assertThat(failure.getCause()).isInstanceOf(RpcException.class);
        int made = attempts.get();
        // No attempt after giving up (a client that loops tries again every 100 ms).
        await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> attempts.get() == made);
    }

    @Test
    void aRestoredSessionStillExpiresWhenItsTtlRunsOutLater() throws Exception {
        Path dir = TestHubs.shortTempDir();
        List<HubEvent> expired = new CopyOnWriteArrayList<>();
        AgentwireHub first = hub(dir, expired);
        String id = create(owner(first), "soon", 3).path("sessionId").asText();
        first.close();
        AgentwireHub second = hub(dir, expired);
        AgentwireClient member = AgentwireClient.builder()
                .endpoint(second.endpoint())
                .session(id)
                .reconnect(false)
                .connect();
        open.add(member);
        assertThat(member.hello().path("sessionId").asText()).isEqualTo(id);
        await().atMost(WAIT).until(() -> !expired.isEmpty());
        assertThat(expired.get(0).text("sessionId")).isEqualTo(id);
        assertThat(list(member).path("current").asText()).isEqualTo("default");
    }

    @Test
    void aMalformedStoredRowIsSkippedWithALogAndTheHubStarts() throws Exception {
        Path dir = TestHubs.shortTempDir();
        List<HubEvent> expired = new CopyOnWriteArrayList<>();
        AgentwireHub first = hub(dir, expired);
        String good = create(owner(first), "good", 3600).path("sessionId").asText();
        first.close();
        long now = System.currentTimeMillis();
        try (var db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("home/hub.db"));
                var s = db.createStatement()) {
            s.execute("INSERT INTO sessions VALUES ('not-an-id', 'x', 'uid:1', " + now + ", 60000, 0)");
            s.execute("INSERT INTO sessions VALUES ('" + "a".repeat(32) + "', 'x', 'uid:1', " + now + ", 'soon', 0)");
            s.execute("INSERT INTO sessions VALUES ('" + "b".repeat(32) + "', 'x', '', " + now + ", 60000, 0)");
            s.execute("INSERT INTO sessions VALUES ('" + "c".repeat(32) + "', 'x', 'uid:1', -5, 60000, 0)");
        }

        PrintStream original = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AgentwireHub second;
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            second = hub(dir, expired);
        } finally {
            System.setErr(original);
        }
        String log = buf.toString(StandardCharsets.UTF_8);
        assertThat(log)
                .contains("stored session not-an-id skipped: its id is not 32 hex digits")
                .contains("session row " + "a".repeat(32) + " skipped")
                .contains("stored session " + "b".repeat(32) + " skipped: it has no owner")
                .contains("stored session " + "c".repeat(32) + " skipped");
        List<String> ids = list(owner(second)).path("sessions").findValuesAsText("sessionId");
        assertThat(ids).contains(good).doesNotContain("a".repeat(32), "b".repeat(32), "c".repeat(32));
        assertThat(expired).isEmpty();
    }

    private static JsonNode find(JsonNode list, String id) {
        for (JsonNode s : list.path("sessions")) {
            if (s.path("sessionId").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no session " + id + " in " + list);
    }
}
