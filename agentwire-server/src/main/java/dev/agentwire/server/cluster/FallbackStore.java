package dev.agentwire.server.cluster;

import dev.agentwire.core.rooms.Store;
import dev.agentwire.server.store.SqliteStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room history in Redis, and in a local outbox while Redis is gone (docs/CLUSTER.md, "Losing Redis"). While the
 * hub is degraded a publish is stored in SQLite under the outbox's own epoch and acknowledged from there, durable
 * when it returns as on a hub alone; reads come from the outbox too, so members here see the epoch change. When
 * Redis is back the outbox goes to Redis first, in order, through the same publish script, each message with an
 * idempotency key (its own client message id, or one made of its id), so a drain cut short and run again adds no
 * duplicate; then the outbox is emptied.
 *
 * <p>A publish whose reply was lost when Redis went away may have run there. Such messages are marked
 * ({@value #UNCERTAIN} before their id, as their client message id in the outbox) and looked for among the room's
 * newest entries ({@code seen.lua}) before they are published again. Called from the rooms sequencer only.
 */
public final class FallbackStore implements Store {

    private static final Logger log = LoggerFactory.getLogger(FallbackStore.class);
    static final String UNCERTAIN = "aw:uncertain:";
    static final String OUTBOX = "aw:outbox:";
    private static final int PAGE = 256;
    /** How far back a publish whose reply was lost is looked for: a batch, and what other hubs added meanwhile. */
    private static final int SEEN_DEPTH = 4096;

    private static final RedisScript SEEN = RedisScript.named("seen");

    private final RedisStore redis;
    private final RedisLink link;
    private final Supplier<SqliteStore> opener;
    private final ClusterHealth health;
    private final Duration timeout;
    private SqliteStore outbox;
    /** The outbox holds messages Redis does not have yet. */
    private boolean pending;

    private long drained;

    /**
     * @param opener opens the outbox database (the same file each time); it is opened now if an earlier run left
     *     messages in it, else when the hub is first degraded
     */
    public FallbackStore(
            RedisStore redis, RedisLink link, Supplier<SqliteStore> opener, ClusterHealth health, Duration timeout) {
        this.redis = redis;
        this.link = link;
        this.opener = opener;
        this.health = health;
        this.timeout = timeout;
    }

    /** Opens an outbox an earlier run left behind (it crashed or stopped while degraded): drained first. */
    public FallbackStore recover() {
        SqliteStore o = opener.get();
        if (o.rooms().isEmpty()) {
            o.close();
        } else {
            outbox = o;
            pending = true;
            log.warn(
                    "cluster: an earlier run left {} rooms in the outbox; they go to Redis first",
                    o.rooms().size());
        }
        return this;
    }

    /** How many messages went from the outbox to Redis since the hub started. */
    public long drained() {
        return drained;
    }

    @Override
    public List<Stored> append(List<Append> batch) {
        if (!health.degraded()) {
            boolean sent = false;
            try {
                if (!outboxSent()) {
                    return outbox().append(batch); // after what waits there, so that the rooms' order holds
                }
                sent = true;
                return redis.append(batch);
            } catch (RuntimeException e) {
                if (!ClusterHealth.unreachable(e)) {
                    throw e;
                }
                health.lost(e.getMessage());
                // Not sent (the outbox's drain failed first), or rejected before it was ("not connected"): it did
                // not run. Otherwise it may have.
                boolean mayHaveRun = sent && !String.valueOf(e.getMessage()).contains("not connected");
                return outbox().append(mayHaveRun ? marked(batch) : batch);
            }
        }
        return outbox().append(batch);
    }

    private static List<Append> marked(List<Append> batch) {
        List<Append> out = new ArrayList<>(batch.size());
        for (Append a : batch) {
            out.add(
                    a.clientMessageId().isPresent()
                            ? a
                            : new Append(
                                    a.room(),
                                    a.id(),
                                    a.from(),
                                    a.text(),
                                    a.data(),
                                    a.ts(),
                                    Optional.of(UNCERTAIN + a.id())));
        }
        return out;
    }

    @Override
    public RoomState room(String room) {
        return either(() -> redis.room(room), () -> outbox().room(room));
    }

    @Override
    public List<RoomState> rooms() {
        return either(redis::rooms, () -> outbox().rooms());
    }

    @Override
    public List<Stored> after(String room, long afterOffset, int limit) {
        return either(() -> redis.after(room, afterOffset, limit), () -> outbox().after(room, afterOffset, limit));
    }

    @Override
    public List<Stored> before(String room, long beforeOffset, int limit) {
        return either(() -> redis.before(room, beforeOffset, limit), () -> outbox().before(room, beforeOffset, limit));
    }

    @Override
    public void trim(String room, int maxMessages, long minTs) {
        // The outbox keeps everything until Redis has it.
        either(
                () -> {
                    redis.trim(room, maxMessages, minTs);
                    return null;
                },
                () -> null);
    }

    /** Sends the outbox to Redis if it holds anything and Redis is there; the rooms call it at each catch-up. */
    @Override
    public void resume() {
        if (!pending || health.degraded()) {
            return;
        }
        long n = 0;
        for (RoomState r : outbox.rooms()) {
            long after = r.firstOffset() - 1;
            while (true) {
                List<Append> page = outbox.appendsAfter(r.room(), after, PAGE);
                if (page.isEmpty()) {
                    break;
                }
                List<Append> send = unseen(r.room(), page);
                if (!send.isEmpty()) {
                    for (Stored s : redis.append(send)) {
                        if (s.refused() != null) {
                            // Kept, all of it: the next catch-up tries again (what went in is not repeated).
                            throw new IllegalStateException("the outbox could not be sent: " + s.refused());
                        }
                    }
                }
                n += send.size();
                after += page.size();
            }
        }
        outbox.clear();
        pending = false;
        drained += n;
        log.info("cluster: the outbox's {} messages are in Redis", n);
    }

    /** The page without the messages Redis has already, each with the idempotency key it is published with. */
    private List<Append> unseen(String room, List<Append> page) {
        List<String> uncertain = new ArrayList<>();
        for (Append a : page) {
            if (a.clientMessageId().orElse("").startsWith(UNCERTAIN)) {
                uncertain.add(a.id());
            }
        }
        Set<String> seen = new HashSet<>();
        if (!uncertain.isEmpty()) {
            List<String> args = new ArrayList<>(uncertain.size() + 1);
            args.add(Integer.toString(SEEN_DEPTH));
            args.addAll(uncertain);
            List<Object> found = link.await(
                    SEEN.run(link.async(), new String[] {RoomKeys.stream(room)}, args.toArray(String[]::new)), timeout);
            found.forEach(f -> seen.add((String) f));
        }
        List<Append> out = new ArrayList<>(page.size());
        for (Append a : page) {
            if (seen.contains(a.id())) {
                continue;
            }
            String key =
                    a.clientMessageId().filter(k -> !k.startsWith(UNCERTAIN)).orElse(OUTBOX + a.id());
            out.add(new Append(a.room(), a.id(), a.from(), a.text(), a.data(), a.ts(), Optional.of(key)));
        }
        return out;
    }

    /**
     * Sends the outbox if it holds anything: whether Redis has it all now. False when Redis refused part of it (out
     * of memory, say): the rooms are served from the outbox, as while degraded, until a catch-up sends it. Throws
     * when Redis cannot be reached.
     */
    private boolean outboxSent() {
        try {
            resume();
            return true;
        } catch (RuntimeException e) {
            if (ClusterHealth.unreachable(e)) {
                throw e;
            }
            log.warn("cluster: the outbox could not be sent yet: {}", e.getMessage());
            return false;
        }
    }

    private <T> T either(Supplier<T> inRedis, Supplier<T> inOutbox) {
        if (!health.degraded()) {
            try {
                return outboxSent() ? inRedis.get() : inOutbox.get();
            } catch (RuntimeException e) {
                if (!ClusterHealth.unreachable(e)) {
                    throw e;
                }
                health.lost(e.getMessage());
            }
        }
        return inOutbox.get();
    }

    private SqliteStore outbox() {
        if (outbox == null) {
            outbox = opener.get();
        }
        pending = true;
        return outbox;
    }

    @Override
    public void close() {
        if (outbox != null) {
            outbox.close();
        }
    }
}
