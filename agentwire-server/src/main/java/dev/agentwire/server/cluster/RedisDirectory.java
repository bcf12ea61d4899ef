package dev.agentwire.server.cluster;

import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.LocalDirectory;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Directory} every hub of a cluster shares, in Redis (docs/CLUSTER.md, "The directory"). The entries are
 * a hash (field {@code NAME\nHUB\nCONNECTION}, value the codec's text of the entry's shared part) with a version;
 * {@code directory.lua} makes every change, moves the version on and publishes it, so each hub applies the same
 * changes in the same order to its copy ({@link LocalDirectory}), where lookups stay in memory. A change made here
 * returns once this hub's copy has it. A missed version (a reconnect) reloads the copy from a snapshot.
 * {@link #update} is optimistic: the plan runs on this hub's copy at its version, and the script refuses it if the
 * version moved meanwhile; then the plan runs again on the newer copy.
 *
 * <p>Listeners hear every change, this hub's and the others', on the directory's own thread
 * ({@code aw-dir-KIND}), in version order; this hub's before the call that made it returns. Thread safe.
 */
public final class RedisDirectory<V> implements Directory<V> {

    /** What crosses hubs of an entry's value: its text, and the value another hub makes of it. */
    public interface Codec<V> {
        String encode(V value);

        /** The value of an entry another hub registered (its owner is on that hub). */
        V decode(Owner owner, String name, String text);
    }

    private static final Logger log = LoggerFactory.getLogger(RedisDirectory.class);
    private static final RedisScript CHANGE = RedisScript.named("directory");
    private static final RedisScript SNAPSHOT = RedisScript.named("snapshot");
    private static final int MAX_ATTEMPTS = 200;

    private final RedisLink redis;
    private final String kind;
    private final String hub;
    private final Codec<V> codec;
    private final Duration timeout;
    private final LocalDirectory<V> copy;
    /**
     * The values registered through this hub and not unregistered by it, by field: what its copy holds for them
     * (they carry local links), and what it registers again if the others purged them ({@link #reassert}).
     */
    private final Map<String, V> own = new ConcurrentHashMap<>();

    private final String entriesKey;
    private final String versionKey;
    private final String channel;
    private ExecutorService applier;
    private StatefulRedisPubSubConnection<String, String> pubsub;
    /** The version this hub's copy is at; guarded by {@code this}. */
    private long applied = -1;
    /** Whether Redis is reachable: while it is not, changes are made in the copy alone ({@link #rejoin}). */
    private volatile ClusterHealth health = new ClusterHealth();

    public RedisDirectory(RedisLink redis, String kind, String hub, Codec<V> codec, Duration timeout) {
        this.redis = redis;
        this.kind = kind;
        this.hub = hub;
        this.codec = codec;
        this.timeout = timeout;
        this.copy = new LocalDirectory<>(hub);
        this.entriesKey = "agentwire:{dir:" + kind + "}:entries";
        this.versionKey = "agentwire:{dir:" + kind + "}:version";
        this.channel = "agentwire:{dir:" + kind + "}:changes";
    }

    /** Subscribes to the changes, then loads the copy (changes older than it are left out). */
    public RedisDirectory<V> start() {
        applier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "aw-dir-" + kind);
            t.setDaemon(true);
            return t;
        });
        pubsub = redis.newPubSub();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
                if (channel.equals(ch)) {
                    applier.execute(() -> changed(message));
                }
            }
        });
        try {
            pubsub.sync().subscribe(channel);
            CompletableFuture.runAsync(this::reload, applier).join();
        } catch (RuntimeException e) {
            // Nothing left half open: a start that failed (Redis away again) is tried again whole.
            pubsub.closeAsync();
            applier.shutdownNow();
            pubsub = null;
            applier = null;
            throw e;
        }
        return this;
    }

    /**
     * Shares {@code health} with the rest of the hub: a change that cannot reach Redis makes the hub degraded, and
     * while it is, changes are made in this hub's copy alone, for its own connections; {@link #rejoin} when Redis
     * is back.
     */
    public RedisDirectory<V> degradeWith(ClusterHealth health) {
        this.health = health;
        return this;
    }

    // --- keeping the copy ------------------------------------------------------------------------------------

    private static String field(String name, Owner owner) {
        return name + "\n" + owner.hub() + "\n" + owner.connection();
    }

    private record Key(String name, Owner owner) {}

    private static Key key(String field) {
        int a = field.lastIndexOf('\n');
        int b = field.lastIndexOf('\n', a - 1);
        return new Key(
                field.substring(0, b), new Owner(field.substring(b + 1, a), Long.parseLong(field.substring(a + 1))));
    }

    /** A published change: VERSION\nOP\nFIELD\nVALUE, where FIELD holds two newlines itself. */
    private void changed(String message) {
        try {
            int a = message.indexOf('\n');
            long version = Long.parseLong(message.substring(0, a));
            String op = message.substring(a + 1, a + 2);
            String rest = message.substring(a + 3);
            int f1 = rest.indexOf('\n');
            int f2 = rest.indexOf('\n', f1 + 1);
            int f3 = rest.indexOf('\n', f2 + 1);
            String field = rest.substring(0, f3);
            String value = rest.substring(f3 + 1);
            synchronized (this) {
                if (version <= applied) {
                    return;
                }
                if (version > applied + 1) {
                    log.info("directory {}: missed changes {}..{}; reloading", kind, applied + 1, version - 1);
                    reload();
                    return;
                }
                apply(op, field, value);
                applied = version;
                notifyAll();
            }
        } catch (RuntimeException e) {
            log.warn("directory {}: a change could not be applied ({}); reloading", kind, e.toString());
            reload();
        }
    }

    private void apply(String op, String field, String value) {
        Key k;
        V v = null;
        try {
            k = key(field);
            if (op.equals("R")) {
                v = own.get(field);
                if (v == null) {
                    v = codec.decode(k.owner(), k.name(), value);
                }
            }
        } catch (RuntimeException e) {
            // One entry this hub cannot read (another hub's version wrote it, or it is damaged) must not stop the
            // directory: it is left out here, and the others go on.
            log.warn(
                    "directory {}: an entry cannot be read and is left out: {} ({})",
                    kind,
                    abbreviate(field),
                    e.toString());
            return;
        }
        if (op.equals("R")) {
            copy.register(new Entry<>(k.name(), k.owner(), v));
        } else {
            copy.unregister(k.name(), k.owner());
        }
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', '|');
        return one.length() <= 120 ? one : one.substring(0, 120) + "…";
    }

    /** Reloads the copy if Redis's version is not the copy's (a change lost while nothing else changed). */
    public void check() {
        try {
            String v = await(redis.async().get(versionKey).toCompletableFuture());
            long version = v == null ? 0 : Long.parseLong(v);
            synchronized (this) {
                if (version != applied) {
                    log.info("directory {}: at version {}, Redis at {}; reloading", kind, applied, version);
                    reload();
                }
            }
        } catch (RuntimeException e) {
            log.debug("directory {}: checking the version failed: {}", kind, e.toString());
        }
    }

    /** Makes the copy what Redis holds now. */
    private synchronized void reload() {
        List<Object> snap = await(SNAPSHOT.run(redis.async(), new String[] {entriesKey, versionKey}));
        Map<String, String> now = new HashMap<>();
        for (int i = 1; i + 1 < snap.size(); i += 2) {
            now.put((String) snap.get(i), (String) snap.get(i + 1));
        }
        for (Entry<V> e : copy.scan("", "", Integer.MAX_VALUE)) {
            if (!now.containsKey(field(e.name(), e.owner()))) {
                copy.unregister(e.name(), e.owner());
            }
        }
        for (var e : now.entrySet()) {
            apply("R", e.getKey(), e.getValue());
        }
        applied = Long.parseLong((String) snap.get(0));
        notifyAll();
    }

    /** Waits until the copy has version {@code version}; reloads it if the change does not come in time. */
    private synchronized void awaitApplied(long version) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (applied < version) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                log.info("directory {}: change {} was not heard within {} ms; reloading", kind, version, timeout);
                reload();
                return;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for directory " + kind, e);
            }
        }
    }

    /** Runs the change script; its reply, or empty when {@code atVersion} was no longer the version. */
    private Optional<List<Object>> change(String atVersion, List<String[]> ops) {
        List<String> args = new ArrayList<>(2 + ops.size() * 3);
        args.add(atVersion);
        args.add(channel);
        for (String[] op : ops) {
            args.add(op[0]);
            args.add(op[1]);
            args.add(op[2]);
        }
        List<Object> r =
                await(CHANGE.run(redis.async(), new String[] {entriesKey, versionKey}, args.toArray(String[]::new)));
        if (((Long) r.get(0)) == 0) {
            return Optional.empty();
        }
        awaitApplied((Long) r.get(1));
        return Optional.of(r);
    }

    // --- Directory --------------------------------------------------------------------------------------------

    @Override
    public String hub() {
        return hub;
    }

    @Override
    public Optional<Entry<V>> register(Entry<V> entry) {
        if (health.degraded()) {
            return registerHere(entry);
        }
        try {
            return registerShared(entry);
        } catch (RuntimeException e) {
            if (!lost(e)) {
                throw e;
            }
            return registerHere(entry);
        }
    }

    private Optional<Entry<V>> registerHere(Entry<V> entry) {
        own.put(field(entry.name(), entry.owner()), entry.value());
        return copy.register(entry);
    }

    private Optional<Entry<V>> registerShared(Entry<V> entry) {
        Optional<Entry<V>> before = find(entry.name(), entry.owner());
        String field = field(entry.name(), entry.owner());
        own.put(field, entry.value());
        change("", List.<String[]>of(new String[] {"R", field, codec.encode(entry.value())}));
        return before;
    }

    @Override
    public Optional<Entry<V>> unregister(String name, Owner owner) {
        if (!health.degraded()) {
            try {
                return unregisterShared(name, owner);
            } catch (RuntimeException e) {
                if (!lost(e)) {
                    throw e;
                }
            }
        }
        own.remove(field(name, owner));
        return copy.unregister(name, owner);
    }

    private Optional<Entry<V>> unregisterShared(String name, Owner owner) {
        Optional<Entry<V>> before = find(name, owner);
        List<Object> r = change("", List.<String[]>of(new String[] {"U", field(name, owner), ""}))
                .orElseThrow();
        own.remove(field(name, owner));
        return ((Long) r.get(2)) == 1 ? before : Optional.empty();
    }

    @Override
    public List<Entry<V>> unregisterAll(Owner owner) {
        if (!health.degraded()) {
            try {
                return unregisterAllShared(owner);
            } catch (RuntimeException e) {
                if (!lost(e)) {
                    throw e;
                }
            }
        }
        List<Entry<V>> removed = copy.unregisterAll(owner);
        removed.forEach(e -> own.remove(field(e.name(), e.owner())));
        return removed;
    }

    private List<Entry<V>> unregisterAllShared(Owner owner) {
        List<Entry<V>> mine = copy.scan("", "", Integer.MAX_VALUE).stream()
                .filter(e -> e.owner().equals(owner))
                .toList();
        if (mine.isEmpty()) {
            return List.of();
        }
        List<String[]> ops = mine.stream()
                .map(e -> new String[] {"U", field(e.name(), e.owner()), ""})
                .toList();
        List<Object> r = change("", ops).orElseThrow();
        mine.forEach(e -> own.remove(field(e.name(), e.owner())));
        List<Entry<V>> removed = new ArrayList<>();
        for (int i = 0; i < mine.size(); i++) {
            if (((Long) r.get(2 + i)) == 1) {
                removed.add(mine.get(i));
            }
        }
        return removed;
    }

    /**
     * Registers again every entry of this hub (registering is idempotent): the others purged them when they found
     * it dead ({@link HubBeats#onRevived}), and their removals may not have reached this hub's copy yet.
     */
    public void reassert() {
        List<String[]> ops = new ArrayList<>();
        for (var e : own.entrySet()) {
            Key k = key(e.getKey());
            if (k.owner().hub().equals(hub)) {
                ops.add(new String[] {"R", e.getKey(), codec.encode(e.getValue())});
            }
        }
        if (!ops.isEmpty()) {
            log.info("directory {}: registering {} entries of this hub again", kind, ops.size());
            change("", ops);
        }
    }

    /**
     * Redis is back after an outage: Redis gets this hub's entries as they are now (those registered meanwhile, and
     * not those removed meanwhile), then the copy is reloaded with every hub's.
     */
    public void rejoin() {
        List<Object> snap = await(SNAPSHOT.run(redis.async(), new String[] {entriesKey, versionKey}));
        List<String[]> ops = new ArrayList<>();
        for (int i = 1; i + 1 < snap.size(); i += 2) {
            String f = (String) snap.get(i);
            if (key(f).owner().hub().equals(hub) && !own.containsKey(f)) {
                ops.add(new String[] {"U", f, ""});
            }
        }
        for (var e : own.entrySet()) {
            if (key(e.getKey()).owner().hub().equals(hub)) {
                ops.add(new String[] {"R", e.getKey(), codec.encode(e.getValue())});
            }
        }
        if (!ops.isEmpty()) {
            log.info("directory {}: {} changes of this hub made while Redis was gone go to Redis", kind, ops.size());
            change("", ops);
        }
        reload();
    }

    /** Removes every entry of hub {@code dead}'s owners (it stopped beating); any hub may, and more than one may. */
    public void purgeHub(String dead) {
        List<String[]> ops = copy.scan("", "", Integer.MAX_VALUE).stream()
                .filter(e -> e.owner().hub().equals(dead))
                .map(e -> new String[] {"U", field(e.name(), e.owner()), ""})
                .toList();
        if (!ops.isEmpty()) {
            change("", ops);
        }
    }

    @Override
    public Changes<V> update(String prefix, Function<List<Entry<V>>, Changes<V>> plan) {
        if (!health.degraded()) {
            try {
                return updateShared(prefix, plan);
            } catch (RuntimeException e) {
                if (!lost(e)) {
                    throw e;
                }
            }
        }
        Changes<V> done = copy.update(prefix, plan);
        done.unregister().forEach(e -> own.remove(field(e.name(), e.owner())));
        done.register().forEach(e -> own.put(field(e.name(), e.owner()), e.value()));
        return done;
    }

    /** Whether {@code e} says Redis is unreachable; if so the hub is degraded from now on. */
    private boolean lost(RuntimeException e) {
        if (!ClusterHealth.unreachable(e)) {
            return false;
        }
        health.lost(e.getMessage());
        return true;
    }

    private Changes<V> updateShared(String prefix, Function<List<Entry<V>>, Changes<V>> plan) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            long version;
            List<Entry<V>> current;
            synchronized (this) {
                version = applied;
                current = copy.scan(prefix, "", Integer.MAX_VALUE);
            }
            Changes<V> changes = plan.apply(current);
            List<String[]> ops = new ArrayList<>();
            for (Entry<V> e : changes.unregister()) {
                checkUnder(prefix, e);
                ops.add(new String[] {"U", field(e.name(), e.owner()), ""});
            }
            for (Entry<V> e : changes.register()) {
                checkUnder(prefix, e);
                ops.add(new String[] {"R", field(e.name(), e.owner()), codec.encode(e.value())});
            }
            if (ops.isEmpty()) {
                return changes;
            }
            List<String> stashed = new ArrayList<>();
            for (Entry<V> e : changes.register()) {
                String f = field(e.name(), e.owner());
                if (own.putIfAbsent(f, e.value()) != null) {
                    own.put(f, e.value());
                } else {
                    stashed.add(f);
                }
            }
            Optional<List<Object>> r = change(Long.toString(version), ops);
            if (r.isPresent()) {
                changes.unregister().forEach(e -> own.remove(field(e.name(), e.owner())));
                List<Entry<V>> removed = new ArrayList<>();
                for (int i = 0; i < changes.unregister().size(); i++) {
                    if (((Long) r.get().get(2 + i)) == 1) {
                        removed.add(changes.unregister().get(i));
                    }
                }
                return new Changes<>(changes.register(), removed);
            }
            stashed.forEach(own::remove);
            // Another hub changed the directory first: run the plan again on a copy that has its change.
            synchronized (this) {
                long seen = applied;
                try {
                    wait(Math.max(1, Math.min(50, timeout.toMillis())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted updating directory " + kind, e);
                }
                if (applied == seen && attempt % 10 == 9) {
                    reload();
                }
            }
        }
        throw new IllegalStateException("directory " + kind + ": " + MAX_ATTEMPTS
                + " attempts to change entries under \"" + prefix + "\" lost to other hubs' changes");
    }

    private static void checkUnder(String prefix, Entry<?> e) {
        if (!e.name().startsWith(prefix)) {
            throw new IllegalArgumentException(
                    "an update under \"" + prefix + "\" may not change \"" + e.name() + "\", which is outside it");
        }
    }

    private Optional<Entry<V>> find(String name, Owner owner) {
        return copy.lookup(name).stream().filter(e -> e.owner().equals(owner)).findFirst();
    }

    @Override
    public List<Entry<V>> scan(String prefix, String after, int limit) {
        return copy.scan(prefix, after, limit);
    }

    @Override
    public List<Entry<V>> lookup(String name) {
        return copy.lookup(name);
    }

    @Override
    public List<String> names() {
        return copy.names();
    }

    @Override
    public void listen(Listener<V> listener) {
        copy.listen(listener);
    }

    /** Stops following the changes (the entries stay in Redis for the other hubs). */
    public void close() {
        if (pubsub != null) {
            pubsub.close();
        }
        if (applier != null) {
            applier.shutdownNow();
        }
    }

    private <T> T await(CompletableFuture<T> f) {
        return redis.await(f, timeout);
    }
}
