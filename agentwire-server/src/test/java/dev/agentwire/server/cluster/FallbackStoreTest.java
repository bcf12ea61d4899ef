package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.core.rooms.Store.Append;
import dev.agentwire.core.rooms.Store.Stored;
import dev.agentwire.server.store.SqliteStore;
import dev.agentwire.server.testing.RedisProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The room store of a cluster hub while Redis is gone and when it is back (docs/CLUSTER.md, "Losing Redis"), on a
 * real {@code redis-server}: local acknowledgements under the outbox's epoch, then the outbox in Redis in order,
 * with nothing twice, even what Redis had already run when its reply was lost.
 */
class FallbackStoreTest {

    @TempDir
    Path dir;

    private RedisProcess redis;
    private RedisLink link;
    private SqliteStore outbox;
    private RedisStore shared;
    private final ClusterHealth health = new ClusterHealth();
    private FallbackStore store;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start(dir.resolve("redis"));
        link = RedisLink.connect(redis.uri(), Duration.ofSeconds(5));
        outbox = SqliteStore.open(dir.resolve("outbox.db"));
        shared = new RedisStore(link, "hub-a", room -> 1000, Duration.ofSeconds(5));
        store = new FallbackStore(shared, link, () -> outbox, health, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        if (link != null) {
            link.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static Append message(String text) {
        return message(text, Optional.empty());
    }

    private static Append message(String text, Optional<String> clientMessageId) {
        return new Append("r", "id-" + text, "uid:1000", text, null, 1L, clientMessageId);
    }

    @Test
    void degradedPublishesAreAckedLocallyAndReachRedisInOrderOnceEach() {
        Stored first = store.append(List.of(message("a"), message("d", Optional.of("cm-a"))))
                .get(0);
        // A publish Redis ran whose reply was lost: the hub stored it in the outbox, marked uncertain.
        shared.append(List.of(message("b")));
        health.lost("test");
        outbox.append(List.of(
                new Append("r", "id-b", "uid:1000", "b", null, 1L, Optional.of(FallbackStore.UNCERTAIN + "id-b"))));
        // "d" again (its client message id), retried while Redis was gone: a duplicate once Redis has the outbox.
        List<Stored> local = store.append(List.of(message("c"), message("d-retry", Optional.of("cm-a"))));
        assertThat(local).extracting(Stored::epoch).doesNotContain(first.epoch());
        assertThat(store.room("r").epoch())
                .as("the outbox's epoch while degraded")
                .isEqualTo(local.get(0).epoch());

        health.reached();
        store.resume();

        List<Stored> inRedis = shared.after("r", 0, 100);
        assertThat(inRedis).extracting(Stored::text).containsExactly("a", "d", "b", "c");
        assertThat(inRedis).extracting(Stored::offset).containsExactly(1L, 2L, 3L, 4L);
        assertThat(inRedis).extracting(Stored::epoch).containsOnly(first.epoch());
        assertThat(store.room("r").epoch()).as("Redis's epoch again").isEqualTo(first.epoch());
        assertThat(outbox.rooms()).as("the outbox is empty").isEmpty();
        assertThat(store.drained())
                .as("c, and the retry Redis found a duplicate")
                .isEqualTo(2);
        assertThat(store.append(List.of(message("e"))).get(0).offset()).isEqualTo(5);
    }

    @Test
    void aDrainCutShortAndRunAgainAddsNothingTwice() {
        health.lost("test");
        store.append(List.of(message("x"), message("y")));
        health.reached();
        store.resume();
        // As if the drain had stopped after sending, before emptying the outbox: the same messages again.
        health.lost("test");
        outbox.append(List.of(message("x"), message("y")));
        store.append(List.of(message("z")));
        health.reached();
        store.resume();

        assertThat(shared.after("r", 0, 100)).extracting(Stored::text).containsExactly("x", "y", "z");
    }
}
