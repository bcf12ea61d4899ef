package dev.agentwire.core.sessions;

import static dev.agentwire.core.TestPeer.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.TestTicker;
import dev.agentwire.core.tools.ToolTables;
import dev.agentwire.core.tools.ToolsFeature;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RpcError;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions that run out (docs/PROTOCOL.md, sessions): after their {@code ttl} from creation, or after the idle
 * timeout without a call, a session ends with {@code events/event {category: session, action: expired}} to its
 * members, who move to {@code default}, and its tools go. The ticker is the test's; {@link
 * SessionManager#expireDue} is what the hub's one-second timer calls.
 */
class SessionExpiryTest {

    private final TestTicker ticker = new TestTicker();
    private HubCore core;

    @AfterEach
    void close() {
        core.close();
    }

    private void start(Duration ttl, Duration idle) {
        core = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), ticker)
                .feature(new SessionsFeature(new SessionsFeature.Settings(ttl, idle)))
                .feature(new ToolsFeature(ToolsFeature.Settings.defaults()))
                .build();
    }

    private SessionManager sessions() {
        return core.require(SessionManager.class);
    }

    private boolean exists(String id) {
        return sessions().all().stream().anyMatch(s -> s.id().equals(id));
    }

    /** Moves the ticker on and runs the expiry, as the hub's timer does every second. */
    private void after(Duration d) {
        ticker.advance(d);
        sessions().expireDue();
    }

    /** A provider that created session "work", joined it and registered tool "t" there, and a caller in it. */
    private record Work(String id, Session session, TestPeer provider, TestPeer caller) {}

    private Work work(String create) {
        TestPeer provider = TestPeer.unix(core, 1001);
        String id = provider.call("sessions/create", create).path("sessionId").asText();
        provider.call(
                "tools/register",
                "{\"tools\":[{\"name\":\"t\",\"description\":\"d\",\"inputSchema\":{\"type\":\"object\"}}]}");
        TestPeer caller = TestPeer.unix(core, 1001);
        caller.call("sessions/join", "{\"sessionId\":\"" + id + "\"}");
        return new Work(id, sessions().get(id), provider, caller);
    }

    private static List<JsonNode> sessionEvents(TestPeer p, String action) {
        return p.notifications("events/event").stream()
                .filter(e -> e.path("category").asText().equals("session")
                        && e.path("action").asText().equals(action))
                .toList();
    }

    @Test
    void aSessionPastItsTtlEndsItsMembersGoBackToDefaultAndItsToolsGo() {
        start(Duration.ofSeconds(60), Duration.ZERO);
        Work w = work("{\"name\":\"work\",\"join\":true}");
        assertThat(w.caller().call("tools/list", "{}").path("tools")).hasSize(1);

        after(Duration.ofSeconds(30));
        w.caller().call("sessions/list", "{}"); // activity does not put off the ttl
        after(Duration.ofSeconds(29));
        assertThat(exists(w.id())).as("59 s after creation").isTrue();
        after(Duration.ofSeconds(1));

        waitUntil(() -> !exists(w.id()));
        for (TestPeer p : List.of(w.provider(), w.caller())) {
            waitUntil(() -> SessionManager.sessionOf(p.connection()).isDefault());
            JsonNode expired = sessionEvents(p, "expired").get(0).path("data");
            assertThat(expired.path("sessionId").asText()).isEqualTo(w.id());
            assertThat(expired.path("reason").asText()).isEqualTo("ttl");
        }
        assertThat(w.session().members()).isEmpty();
        assertThat(core.require(ToolTables.class).of(w.session()).size())
                .as("tools of the ended session")
                .isZero();
        RpcError call = w.caller().error(w.caller().send("tools/call", "{\"name\":\"t\"}"));
        assertThat(call.code()).as("no tool t in default").isEqualTo(-32002);
        RpcError rejoin = w.caller().error(w.caller().send("sessions/join", "{\"sessionId\":\"" + w.id() + "\"}"));
        assertThat(rejoin.code()).isEqualTo(-32007);
    }

    @Test
    void aSessionsOwnTtlWinsOverTheDefault() {
        start(Duration.ofSeconds(60), Duration.ZERO);
        Work w = work("{\"ttl\":10,\"join\":true}");

        after(Duration.ofSeconds(9));
        assertThat(exists(w.id())).isTrue();
        after(Duration.ofSeconds(1));

        waitUntil(() -> !exists(w.id()));
    }

    @Test
    void anIdleSessionEndsAfterTheIdleTimeoutAndEachCallPutsItOff() {
        start(Duration.ofHours(1), Duration.ofSeconds(30));
        Work w = work("{\"join\":true}");

        after(Duration.ofSeconds(20));
        w.caller().call("sessions/list", "{}");
        after(Duration.ofSeconds(20));
        assertThat(exists(w.id())).as("20 s since the last call").isTrue();
        after(Duration.ofSeconds(9));
        assertThat(exists(w.id())).as("29 s since the last call").isTrue();
        after(Duration.ofSeconds(1));

        waitUntil(() -> !exists(w.id()));
        waitUntil(() -> SessionManager.sessionOf(w.caller().connection()).isDefault());
        assertThat(sessionEvents(w.caller(), "expired")
                        .get(0)
                        .path("data")
                        .path("reason")
                        .asText())
                .isEqualTo("idle");
        assertThat(core.require(ToolTables.class).of(w.session()).size()).isZero();
    }

    @Test
    void theDefaultSessionNeverExpires() {
        start(Duration.ofSeconds(1), Duration.ofSeconds(1));
        TestPeer p = TestPeer.unix(core, 1001);

        after(Duration.ofDays(1000));

        assertThat(exists(Session.DEFAULT_ID)).isTrue();
        assertThat(SessionManager.sessionOf(p.connection()).isDefault()).isTrue();
        assertThat(p.call("sessions/list", "{}").path("current").asText()).isEqualTo("default");
    }

    /** A closed session's tools and pending calls end (SessionManager.close): the caller hears at once. */
    @Test
    void aCallPendingInASessionThatEndsEndsWithIt() {
        start(Duration.ofSeconds(60), Duration.ZERO);
        Work w = work("{\"join\":true}");
        long id = w.caller().send("tools/call", "{\"name\":\"t\"}");
        w.provider().awaitRequest("tools/call", 1);

        after(Duration.ofSeconds(60));
        waitUntil(() -> !exists(w.id()));

        waitUntil(() -> w.caller().replied(id));
        assertThat(w.caller().reply(id)).isInstanceOf(Message.ErrorResponse.class);
    }
}
