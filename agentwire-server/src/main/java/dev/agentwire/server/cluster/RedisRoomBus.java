package dev.agentwire.server.cluster;

import dev.agentwire.core.rooms.LocalRoomBus;
import dev.agentwire.core.rooms.RoomBus;
import dev.agentwire.core.rooms.Store;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rooms' messages between the hubs of a cluster, on Redis pub/sub. {@link RedisStore}'s publish script already
 * {@code PUBLISH}es every message on its room's channel, so {@link #publish} only hands this hub's own batches to
 * the listeners; the hub subscribes to a room's channel while it has members there, and hands other hubs' messages
 * over as they come (its own, heard back, are left out). Order, gaps and epochs are the rooms' business
 * ({@code RoomService} delivers by offset and fills gaps from the store).
 *
 * <p>Liveness, as Centrifugo does it: when the pub/sub connection has heard nothing for a {@code probe} interval,
 * the hub publishes to its own probe channel; if that is not heard within the next interval the connection is
 * stale (a failover can leave it subscribed to a server nobody publishes to) and is rebuilt with every
 * subscription. Messages missed meanwhile reach the members through the rooms' catch-up ({@link #catchUpEvery}).
 */
public final class RedisRoomBus implements RoomBus {

    private static final Logger log = LoggerFactory.getLogger(RedisRoomBus.class);

    private final RedisLink redis;
    private final String hub;
    private final Duration probe;
    /** This hub's listeners: its own batches go through it at once, other hubs' as they come. */
    private final LocalRoomBus local = new LocalRoomBus();

    private final Set<String> followed = ConcurrentHashMap.newKeySet();
    private final AtomicLong heard = new AtomicLong();
    private final AtomicLong rebuilds = new AtomicLong();
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private ScheduledExecutorService prober;
    private volatile boolean closed;
    private long heardAtLastCheck = -1;
    private boolean probeSent;

    public RedisRoomBus(RedisLink redis, String hub, Duration probe) {
        this.redis = redis;
        this.hub = hub;
        this.probe = probe;
    }

    /**
     * Opens the pub/sub connection, subscribed to every room followed so far, and starts the prober
     * ({@code aw-redis-probe}). Until then (a hub started while Redis was unreachable) rooms are followed here only.
     */
    public synchronized void start() {
        pubsub = connect();
        prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aw-redis-probe");
            t.setDaemon(true);
            return t;
        });
        prober.scheduleWithFixedDelay(this::check, probe.toMillis(), probe.toMillis(), TimeUnit.MILLISECONDS);
    }

    private StatefulRedisPubSubConnection<String, String> connect() {
        StatefulRedisPubSubConnection<String, String> c = redis.newPubSub();
        c.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                heard.incrementAndGet();
                received(channel, message);
            }

            @Override
            public void subscribed(String channel, long count) {
                heard.incrementAndGet();
            }
        });
        try {
            c.sync().subscribe(RoomKeys.probe(hub));
            if (!followed.isEmpty()) {
                c.sync().subscribe(followed.stream().map(RoomKeys::channel).toArray(String[]::new));
            }
        } catch (RuntimeException e) {
            c.closeAsync();
            throw e;
        }
        return c;
    }

    private void received(String channel, String message) {
        String room = RoomKeys.roomOf(channel);
        if (room == null) {
            return; // the probe, or a channel this hub left
        }
        // OFFSET:EPOCH:HUB:JSON
        int a = message.indexOf(':');
        int b = message.indexOf(':', a + 1);
        int c = message.indexOf(':', b + 1);
        if (a < 0 || b < 0 || c < 0) {
            log.warn("room {}: a message on its channel is not OFFSET:EPOCH:HUB:JSON; dropped", room);
            return;
        }
        if (message.regionMatches(b + 1, hub, 0, hub.length()) && c - b - 1 == hub.length()) {
            return; // this hub's own, delivered when it was stored
        }
        Store.Stored s;
        try {
            s = RedisStore.decode(
                    room,
                    Long.parseLong(message, 0, a, 10),
                    Long.parseLong(message, a + 1, b, 10),
                    message.substring(c + 1));
        } catch (RuntimeException e) {
            log.warn("room {}: a message on its channel could not be read ({}); dropped", room, e.getMessage());
            return;
        }
        if (!closed) {
            local.publish(new Batch(room, List.of(new Entry(s, NO_SENDER))));
        }
    }

    /** Every {@code probe}: is the pub/sub connection still hearing Redis? */
    private void check() {
        if (closed) {
            return;
        }
        try {
            long now = heard.get();
            if (now != heardAtLastCheck) {
                heardAtLastCheck = now;
                probeSent = false;
            } else if (!probeSent) {
                redis.async().publish(RoomKeys.probe(hub), "probe");
                probeSent = true;
            } else {
                log.warn("the Redis pub/sub connection heard nothing, not even its probe: reconnecting it");
                rebuild();
                probeSent = false;
                heardAtLastCheck = heard.get();
            }
        } catch (RuntimeException e) {
            log.warn("checking the Redis pub/sub connection failed: {}", e.getMessage());
        }
    }

    private synchronized void rebuild() {
        if (closed) {
            return;
        }
        StatefulRedisPubSubConnection<String, String> old = pubsub;
        pubsub = connect();
        rebuilds.incrementAndGet();
        old.closeAsync();
    }

    /** Redis is back after an outage: a new pub/sub connection, subscribed to every room followed meanwhile too. */
    public void resubscribe() {
        try {
            if (pubsub == null) {
                return; // not started: its start subscribes them all
            }
            rebuild();
        } catch (RuntimeException e) {
            log.warn("resubscribing the rooms failed; the probe tries again: {}", e.getMessage());
        }
    }

    /** How many times the pub/sub connection was found stale and rebuilt. */
    public long rebuilds() {
        return rebuilds.get();
    }

    @Override
    public void subscribe(Listener listener) {
        local.subscribe(listener);
    }

    /** The script already published it to the other hubs: only this hub's members are left to hear it. */
    @Override
    public void publish(Batch batch) {
        local.publish(batch);
    }

    @Override
    public synchronized void follow(String room) {
        if (followed.add(room) && pubsub != null) {
            // Waited for (within the timeout), so that the room's state read after it misses nothing published.
            try {
                pubsub.sync().subscribe(RoomKeys.channel(room));
            } catch (RuntimeException e) {
                if (!ClusterHealth.unreachable(e)) {
                    followed.remove(room);
                    throw e;
                }
                // Redis is gone: the room is served from the outbox here, and subscribed when Redis is back.
                log.info("room {}: not subscribed while Redis is unreachable ({})", room, e.getMessage());
            }
        }
    }

    @Override
    public synchronized void unfollow(String room) {
        if (followed.remove(room) && pubsub != null) {
            pubsub.async().unsubscribe(RoomKeys.channel(room));
        }
    }

    @Override
    public Optional<Duration> catchUpEvery() {
        return Optional.of(probe);
    }

    @Override
    public synchronized void close() {
        closed = true;
        local.close();
        if (prober != null) {
            prober.shutdownNow();
        }
        if (pubsub != null) {
            pubsub.close();
        }
    }
}
