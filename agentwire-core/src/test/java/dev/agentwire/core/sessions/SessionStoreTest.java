package dev.agentwire.core.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.TestTicker;
import dev.agentwire.core.tools.ToolsFeature;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sessions a hub creates are kept in its {@link SessionStore} until they end, and {@link SessionManager#restore}
 * brings them back with their owner and TTL (docs/PROTOCOL.md, sessions). The store is an in-memory one; the
 * server's SQLite store is tested through restarts of a real hub.
 */
class SessionStoreTest {

    /** A store in a map, as a restart would find it. */
    static final class MapStore implements SessionStore {
        final Map<String, Session.Info> rows = new ConcurrentHashMap<>();

        @Override
        public List<Stored> load() {
            return rows.entrySet().stream()
                    .map(e -> new Stored(e.getKey(), e.getValue()))
                    .toList();
        }

        @Override
        public void save(Stored session) {
            rows.put(session.id(), session.info());
        }

        @Override
        public void delete(String id) {
            rows.remove(id);
        }

        @Override
        public void close() {}
    }

    private final TestTicker ticker = new TestTicker();
    private final MapStore store = new MapStore();
    private final List<String> told = new CopyOnWriteArrayList<>();
    private HubCore core;

    @AfterEach
    void close() {
        core.close();
    }

    private SessionManager start() {
        core = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), ticker)
                .feature(new SessionsFeature(SessionsFeature.Settings.defaults(), store))
                .feature(new ToolsFeature(ToolsFeature.Settings.defaults()))
                .build();
        core.events().addListener((category, action, data) -> {
            if (category.equals("session")
                    && List.of("created", "expired", "closed").contains(action)) {
                told.add(action + " " + data.path("sessionId").asText() + " "
                        + data.path("reason").asText());
            }
        });
        return core.require(SessionManager.class);
    }

    private static String id(char c) {
        return String.valueOf(c).repeat(32);
    }

    @Test
    void aCreatedSessionIsStoredUntilItIsClosedOrExpires() {
        SessionManager sessions = start();
        TestPeer owner = TestPeer.unix(core, 1001);
        String closed = owner.call("sessions/create", "{\"name\":\"a\"}")
                .path("sessionId")
                .asText();
        String expiring = owner.call("sessions/create", "{\"name\":\"b\",\"ttl\":5}")
                .path("sessionId")
                .asText();
        assertThat(store.rows).containsOnlyKeys(closed, expiring);
        assertThat(store.rows.get(expiring).owner()).isEqualTo("uid:1001");
        assertThat(store.rows.get(expiring).ttlMillis()).isEqualTo(5000);
        owner.call("sessions/close", "{\"sessionId\":\"" + closed + "\"}");
        ticker.advance(Duration.ofSeconds(6));
        sessions.expireDue();
        assertThat(store.rows).isEmpty();
    }

    @Test
    void restoreBringsBackAStoredSessionWithItsOwnerAndTtl() {
        store.rows.put(id('a'), new Session.Info("work", "uid:1001", System.currentTimeMillis() - 10_000, 60_000, 0));
        SessionManager sessions = start();
        assertThat(sessions.restore()).isEqualTo(1);
        TestPeer owner = TestPeer.unix(core, 1001);
        JsonNode joined = owner.call("sessions/join", "{\"sessionId\":\"" + id('a') + "\"}");
        assertThat(joined.path("name").asText()).isEqualTo("work");
        assertThat(sessions.get(id('a')).owner())
                .as("the owner the ownership checks use (another identity is refused: SessionRestartTest)")
                .isEqualTo("uid:1001");
        assertThat(told).as("a restored session is not created again").isEmpty();

        ticker.advance(Duration.ofSeconds(51));
        sessions.expireDue();
        assertThat(told).containsExactly("expired " + id('a') + " ttl");
        assertThat(store.rows).isEmpty();
    }

    @Test
    void restoreEndsASessionWhoseTtlRanOutMeanwhileAndSkipsNonsense() {
        long now = System.currentTimeMillis();
        store.rows.put(id('a'), new Session.Info("old", "uid:1001", now - 120_000, 60_000, 0));
        store.rows.put("x", new Session.Info("bad id", "uid:1001", now, 60_000, 0));
        store.rows.put(id('b'), new Session.Info("no owner", "", now, 60_000, 0));
        store.rows.put(id('c'), new Session.Info("negative", "uid:1001", now, -1, 0));
        SessionManager sessions = start();
        List<String> ended = new CopyOnWriteArrayList<>();
        sessions.watch(new SessionManager.Watcher() {
            @Override
            public void created(Session s) {}

            @Override
            public void ended(Session s, String action, String reason) {
                ended.add(action + " " + s.id() + " " + reason);
            }
        });
        assertThat(sessions.restore()).isZero();
        assertThat(told).containsExactly("expired " + id('a') + " ttl");
        assertThat(ended).containsExactly("expired " + id('a') + " ttl");
        assertThat(store.rows).as("the expired row goes; the nonsense stays").containsOnlyKeys("x", id('b'), id('c'));
        assertThat(sessions.all()).extracting(Session::id).containsExactly(Session.DEFAULT_ID);
    }

    @Test
    void aWatcherThatThrowsLeavesTheSessionCreated() {
        SessionManager sessions = start();
        sessions.watch(new SessionManager.Watcher() {
            @Override
            public void created(Session s) {
                throw new IllegalStateException("watcher bug");
            }

            @Override
            public void ended(Session s, String action, String reason) {}
        });
        TestPeer owner = TestPeer.unix(core, 1001);
        String id = owner.call("sessions/create", "{\"name\":\"a\"}")
                .path("sessionId")
                .asText();
        assertThat(id).hasSize(32);
        assertThat(store.rows).containsKey(id);
    }
}
