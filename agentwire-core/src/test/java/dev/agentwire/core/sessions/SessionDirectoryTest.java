package dev.agentwire.core.sessions;

import static dev.agentwire.core.TestPeer.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.TestTicker;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.Directory.Entry;
import dev.agentwire.core.relay.Directory.Owner;
import dev.agentwire.core.relay.LocalDirectory;
import dev.agentwire.core.tools.ToolTables;
import dev.agentwire.core.tools.ToolsFeature;
import dev.agentwire.protocol.RpcError;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions are entries of the sessions {@link Directory}, named by their ids and owned by the hub that created them
 * (docs/ARCHITECTURE.md, seams). The test plays another hub by changing the directory itself, as a shared one would
 * tell this hub of the other's changes.
 */
class SessionDirectoryTest {

    private static final Owner HUB_B = new Owner("hub-b", Owner.HUB);

    private final TestTicker ticker = new TestTicker();
    private final Directory<Session.Info> directory = new LocalDirectory<>("hub-a");
    private final HubCore core = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), ticker)
            .feature(new SessionsFeature(SessionsFeature.Settings.defaults(), directory))
            .feature(new ToolsFeature(ToolsFeature.Settings.defaults()))
            .build();

    @AfterEach
    void close() {
        core.close();
    }

    private SessionManager sessions() {
        return core.require(SessionManager.class);
    }

    /** A session hub B created for {@code owner}, as hub B's registration reaches this hub's directory. */
    private String fromHubB(String id, String owner, long ttlMillis) {
        directory.register(
                new Entry<>(id, HUB_B, new Session.Info("shared", owner, System.currentTimeMillis(), ttlMillis, 0)));
        return id;
    }

    @Test
    void aSessionIsAnEntryNamedByItsIdOwnedByTheHubThatCreatedIt() {
        TestPeer agent = TestPeer.unix(core, 1001);

        String id = agent.call("sessions/create", "{\"name\":\"work\",\"ttl\":120}")
                .path("sessionId")
                .asText();

        assertThat(directory.lookup(id)).singleElement().satisfies(e -> {
            assertThat(e.owner()).isEqualTo(new Owner("hub-a", Owner.HUB));
            assertThat(e.value().name()).isEqualTo("work");
            assertThat(e.value().owner()).isEqualTo("uid:1001");
            assertThat(e.value().ttlMillis()).isEqualTo(120_000);
        });
        assertThat(directory.names())
                .as("the default session is every hub's own")
                .containsExactly(id);
    }

    @Test
    void closingASessionRemovesItsEntry() {
        TestPeer agent = TestPeer.unix(core, 1001);
        String id = agent.call("sessions/create", "{}").path("sessionId").asText();

        agent.call("sessions/close", "{\"sessionId\":\"" + id + "\"}");

        assertThat(directory.lookup(id)).isEmpty();
        RpcError e = agent.error(agent.send("sessions/join", "{\"sessionId\":\"" + id + "\"}"));
        assertThat(e.code()).isEqualTo(-32007);
    }

    @Test
    void aSessionAnotherHubCreatedCanBeListedAndJoinedHereByItsOwner() {
        String id = fromHubB("b0b0", "uid:1001", 3_600_000);
        TestPeer agent = TestPeer.unix(core, 1001);

        assertThat(agent.call("sessions/join", "{\"sessionId\":\"" + id + "\"}")
                        .path("name")
                        .asText())
                .isEqualTo("shared");
        assertThat(SessionManager.sessionOf(agent.connection()).id()).isEqualTo(id);
        assertThat(agent.call("sessions/list", "{}").path("sessions").findValuesAsText("sessionId"))
                .contains(id);
    }

    @Test
    void whenTheOtherHubEndsItsSessionItsMembersHereGoBackToDefaultAndTheirToolsThereGo() {
        String id = fromHubB("b0b1", "uid:1001", 3_600_000);
        TestPeer agent = TestPeer.unix(core, 1001);
        agent.call("sessions/join", "{\"sessionId\":\"" + id + "\"}");
        agent.call(
                "tools/register",
                "{\"tools\":[{\"name\":\"t\",\"description\":\"d\",\"inputSchema\":{\"type\":\"object\"}}]}");
        Session session = sessions().get(id);

        directory.unregister(id, HUB_B);

        waitUntil(() -> SessionManager.sessionOf(agent.connection()).isDefault());
        assertThat(core.require(ToolTables.class).of(session).size()).isZero();
        assertThat(agent.notifications("events/event")).anySatisfy(ev -> {
            assertThat(ev.path("action").asText()).isEqualTo("closed");
            assertThat(ev.path("data").path("sessionId").asText()).isEqualTo(id);
        });
        assertThat(agent.error(agent.send("sessions/join", "{\"sessionId\":\"" + id + "\"}"))
                        .code())
                .isEqualTo(-32007);
    }

    @Test
    void aHubExpiresOnlyTheSessionsItCreated() {
        String theirs = fromHubB("b0b2", "uid:1001", 1_000);
        TestPeer agent = TestPeer.unix(core, 1001);
        String ours =
                agent.call("sessions/create", "{\"ttl\":1}").path("sessionId").asText();
        agent.call("sessions/join", "{\"sessionId\":\"" + theirs + "\"}"); // this hub knows it from now on

        ticker.advance(Duration.ofSeconds(5));
        sessions().expireDue();

        assertThat(directory.names()).as("hub B expires its own").containsExactly(theirs);
        assertThat(directory.lookup(ours)).isEmpty();
    }

    @Test
    void theLimitPerIdentityCountsTheSessionsOfEveryHub() {
        int limit = CoreSettings.defaults("secret-token-secret-token-secret")
                .limits()
                .maxSessionsPerIdentity();
        for (int i = 0; i < limit; i++) {
            fromHubB("b" + i, "uid:1001", 3_600_000);
        }
        fromHubB("other", "uid:1002", 3_600_000);
        TestPeer agent = TestPeer.unix(core, 1001);

        RpcError e = agent.error(agent.send("sessions/create", "{}"));

        assertThat(e.code()).isEqualTo(-32008);
        assertThat(e.reason()).isEqualTo("too_many_sessions");
        assertThat(directory.names()).hasSize(limit + 1);
        assertThat(TestPeer.unix(core, 1002)
                        .call("sessions/create", "{}")
                        .path("sessionId")
                        .asText())
                .as("another identity still may")
                .isNotEmpty();
    }
}
