package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.Directory.Change;
import dev.agentwire.core.relay.Directory.Changes;
import dev.agentwire.core.relay.Directory.Entry;
import dev.agentwire.core.relay.DirectoryContract;
import dev.agentwire.server.testing.RedisProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RedisDirectory} keeps the {@link Directory} contract against a real {@code redis-server}, and two of them
 * on one Redis (two hubs) see each other's entries and keep a rule across both.
 */
class RedisDirectoryTest extends DirectoryContract {

    @TempDir
    static Path dir;

    static RedisProcess redis;
    static RedisLink link;
    static final AtomicInteger kinds = new AtomicInteger();
    static final List<RedisDirectory<String>> opened = new CopyOnWriteArrayList<>();

    /** The text is the value; another hub's entries come back as they were registered. */
    static final RedisDirectory.Codec<String> STRINGS = new RedisDirectory.Codec<>() {
        @Override
        public String encode(String value) {
            return value;
        }

        @Override
        public String decode(Directory.Owner owner, String name, String text) {
            return text;
        }
    };

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start(dir);
        link = RedisLink.connect(redis.uri(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (link != null) {
            link.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** A directory of a kind no other test uses (they share one Redis). */
    private static String newKind() {
        return "test" + kinds.incrementAndGet();
    }

    private static RedisDirectory<String> open(String kind, String hub) {
        RedisDirectory<String> d = new RedisDirectory<>(link, kind, hub, STRINGS, Duration.ofSeconds(5)).start();
        opened.add(d);
        return d;
    }

    @Override
    protected Directory<String> newDirectory(String hub) {
        return open(newKind(), hub);
    }

    @AfterEach
    void closeDirectories() {
        opened.forEach(RedisDirectory::close);
        opened.clear();
    }

    @Test
    void twoHubsSeeEachOthersEntriesAndTheirRemovals() {
        String kind = newKind();
        RedisDirectory<String> a = open(kind, "hub-a");
        RedisDirectory<String> b = open(kind, "hub-b");
        List<String> heardOnB = new CopyOnWriteArrayList<>();
        b.listen((change, e) ->
                heardOnB.add(change + " " + e.name() + " " + e.owner().hub()));

        a.register(new Entry<>("echo", a.owner(1), "from a"));
        b.register(new Entry<>("echo", b.owner(1), "from b"));

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() ->
                        assertThat(a.lookup("echo")).extracting(Entry::value).containsExactly("from a", "from b"));
        assertThat(b.lookup("echo")).extracting(Entry::value).containsExactly("from a", "from b");

        a.unregisterAll(a.owner(1));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() ->
                        assertThat(b.lookup("echo")).extracting(Entry::value).containsExactly("from b"));
        assertThat(heardOnB).contains("REGISTERED echo hub-a", "REGISTERED echo hub-b", "UNREGISTERED echo hub-a");
    }

    @Test
    void aHubStartedLaterLoadsWhatIsThere() {
        String kind = newKind();
        RedisDirectory<String> a = open(kind, "hub-a");
        a.register(new Entry<>("s/x", a.owner(3), "x"));

        RedisDirectory<String> late = open(kind, "hub-c");

        assertThat(late.lookup("s/x")).extracting(Entry::value).containsExactly("x");
    }

    @Test
    void aCountRuleHoldsAcrossTwoHubsUpdatingAtOnce() throws Exception {
        String kind = newKind();
        List<RedisDirectory<String>> hubs = List.of(open(kind, "hub-a"), open(kind, "hub-b"));
        int limit = 30;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            RedisDirectory<String> d = hubs.get(t % 2);
            long owner = t + 1;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 20; i++) {
                    String name = "s/" + owner + "-" + i;
                    try {
                        d.update("s/", current -> {
                            if (current.size() >= limit) {
                                throw new IllegalStateException("full");
                            }
                            return new Changes<>(List.of(new Entry<>(name, d.owner(owner), name)), List.of());
                        });
                    } catch (IllegalStateException full) {
                        // refused, as the rule says
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(hubs.get(0).scan("s/", "", 1000)).hasSize(limit);
            assertThat(hubs.get(1).scan("s/", "", 1000)).hasSize(limit);
        });
    }

    @Test
    void aDeadHubsEntriesArePurgedByAnyOther() {
        String kind = newKind();
        RedisDirectory<String> a = open(kind, "hub-a");
        RedisDirectory<String> b = open(kind, "hub-b");
        a.register(new Entry<>("echo", a.owner(1), "a1"));
        a.register(new Entry<>("other", a.owner(2), "a2"));
        b.register(new Entry<>("echo", b.owner(1), "b1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.lookup("echo").size() == 2);
        List<String> heard = new CopyOnWriteArrayList<>();
        b.listen((change, e) -> heard.add(change + " " + e.name()));

        b.purgeHub("hub-a");

        assertThat(b.names()).containsExactly("echo");
        assertThat(b.lookup("echo")).extracting(Entry::value).containsExactly("b1");
        assertThat(heard).containsExactlyInAnyOrder(Change.UNREGISTERED + " echo", Change.UNREGISTERED + " other");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(a.names()).containsExactly("echo"));
    }

    @Test
    void missedChangesAreReloaded() {
        String kind = newKind();
        RedisDirectory<String> a = open(kind, "hub-a");
        RedisDirectory<String> b = open(kind, "hub-b");
        a.register(new Entry<>("one", a.owner(1), "1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.lookup("one").size() == 1);
        // A change b never hears (as across a dropped pub/sub connection): written straight into Redis.
        link.sync().hset("agentwire:{dir:" + kind + "}:entries", "lost\nhub-a\n9", "lost");
        link.sync().incr("agentwire:{dir:" + kind + "}:version");

        a.register(new Entry<>("two", a.owner(1), "2")); // b sees a gap in the versions

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(b.names()).containsExactly("lost", "one", "two"));
    }

    @Test
    void anEntryThisHubCannotReadIsLeftOutAndTheOthersGoOn() {
        String kind = newKind();
        RedisDirectory<String> writer = open(kind, "hub-a");
        writer.register(new Entry<>("good", writer.owner(1), "fine"));
        writer.register(new Entry<>("bad", writer.owner(2), "unreadable"));
        RedisDirectory.Codec<String> picky = new RedisDirectory.Codec<>() {
            @Override
            public String encode(String value) {
                return value;
            }

            @Override
            public String decode(Directory.Owner owner, String name, String text) {
                if (text.equals("unreadable")) {
                    throw new IllegalArgumentException("a declaration from another version");
                }
                return text;
            }
        };

        RedisDirectory<String> reader = new RedisDirectory<>(link, kind, "hub-b", picky, Duration.ofSeconds(5)).start();
        opened.add(reader);
        writer.register(new Entry<>("later", writer.owner(3), "also fine"));
        reader.register(new Entry<>("mine", reader.owner(1), "mine"));

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(reader.names()).containsExactly("good", "later", "mine"));
    }
}
