package dev.agentwire.server.cluster;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hubs of the cluster and their heartbeats: every {@code every} this hub beats ({@code heartbeat.lua}, Redis's
 * clock), and a hub that has not beaten for {@code deadAfter} is dead. Whichever hub's beat finds it removes it;
 * every hub hears of a death when the hub is gone from the list a beat returns, and its listeners run (on
 * {@code aw-heartbeat}). Thread safe.
 */
public final class HubBeats implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HubBeats.class);
    private static final RedisScript BEAT = RedisScript.named("heartbeat");
    private static final String[] KEYS = {"agentwire:{hubs}:beats", "agentwire:{hubs}:info"};

    private final RedisLink redis;
    private final String hub;
    private final Duration every;
    private final Duration deadAfter;
    private final String info;
    private final List<Consumer<String>> onDead = new CopyOnWriteArrayList<>();
    private final List<Runnable> onRevived = new CopyOnWriteArrayList<>();
    private final List<Runnable> afterBeat = new CopyOnWriteArrayList<>();
    private boolean beaten;
    private volatile Map<String, Long> live = Map.of();
    private volatile long redisNow;
    private volatile String error = "";
    private ScheduledExecutorService beater;
    private volatile ClusterHealth health = new ClusterHealth();

    public HubBeats(RedisLink redis, String hub, Duration every, Duration deadAfter, String info) {
        this.redis = redis;
        this.hub = hub;
        this.every = every;
        this.deadAfter = deadAfter;
        this.info = info;
    }

    /** Runs {@code listener} with each hub found dead. */
    public HubBeats onDead(Consumer<String> listener) {
        onDead.add(listener);
        return this;
    }

    /**
     * Runs {@code listener} when this hub finds it had been declared dead (it did not beat in time: paused, or
     * cut off from Redis) and is back: the others have purged its entries, which it must register again.
     */
    public HubBeats onRevived(Runnable listener) {
        onRevived.add(listener);
        return this;
    }

    /** A beat that fails makes the hub degraded; the next that reaches Redis restores it (before anything else). */
    public HubBeats health(ClusterHealth health) {
        this.health = health;
        return this;
    }

    /** Runs {@code task} after each beat that reached Redis (the directories check their versions then). */
    public HubBeats afterBeat(Runnable task) {
        afterBeat.add(task);
        return this;
    }

    /** Beats once (so that the hubs are known when it returns), then every {@code every} on {@code aw-heartbeat}. */
    public HubBeats start() {
        beat();
        beater = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aw-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beater.scheduleWithFixedDelay(this::beat, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    void beat() {
        try {
            beatOnce();
        } catch (RuntimeException e) {
            // Never out of the scheduled task: an exception there would stop every later beat.
            log.warn("cluster heartbeat failed", e);
            error = String.valueOf(e);
        }
    }

    private void beatOnce() {
        if (!redis.ensureConnected()) {
            error = "Redis " + redis + " is not reachable yet";
            health.lost("Redis " + redis + " is not reachable");
            return;
        }
        List<Object> r;
        try {
            r = BEAT.run(redis.async(), KEYS, hub, Long.toString(deadAfter.toMillis()), info)
                    .get(every.toMillis() + 2000, TimeUnit.MILLISECONDS);
            error = "";
        } catch (Exception e) {
            String why = String.valueOf(e.getCause() != null ? e.getCause() : e);
            if (!why.equals(error)) {
                log.warn("cluster heartbeat to Redis {} failed: {}", redis, why);
            }
            error = String.valueOf(why);
            if (ClusterHealth.unreachable(e)) {
                health.lost("heartbeat: " + why);
            }
            return;
        }
        health.reached();
        redisNow = Long.parseLong((String) r.get(0));
        Set<String> dead = new HashSet<>();
        for (Object d : (List<?>) r.get(1)) {
            dead.add((String) d);
        }
        Map<String, Long> now = new LinkedHashMap<>();
        List<?> beats = (List<?>) r.get(2);
        for (int i = 0; i + 1 < beats.size(); i += 2) {
            now.put((String) beats.get(i), Long.parseLong((String) beats.get(i + 1)));
        }
        boolean absent = ((Long) r.get(3)) == 1;
        // A hub gone from the list is dead, unless this hub was gone too (Redis restarted empty, or this hub had
        // been found dead): then the list says nothing about the others.
        for (String before : live.keySet()) {
            if (!now.containsKey(before) && !before.equals(hub) && !absent) {
                dead.add(before);
            }
        }
        live = now;
        boolean revived = beaten && absent;
        beaten = true;
        if (revived) {
            log.warn("cluster: this hub ({}) had been found dead by the others; registering its entries again", hub);
            for (Runnable l : onRevived) {
                try {
                    l.run();
                } catch (RuntimeException e) {
                    log.warn("cluster: registering this hub's entries again failed", e);
                }
            }
        }
        afterBeat.forEach(Runnable::run);
        for (String d : dead) {
            if (d.equals(hub)) {
                continue;
            }
            log.warn(
                    "cluster: hub {} stopped beating for {} ms; its providers and callers are gone",
                    d,
                    deadAfter.toMillis());
            for (Consumer<String> l : onDead) {
                try {
                    l.accept(d);
                } catch (RuntimeException e) {
                    log.warn("cluster: handling the death of hub {} failed", d, e);
                }
            }
        }
    }

    /** The live hubs with the time since each beat, in ms (Redis's clock), this one included. */
    public Map<String, Long> live() {
        Map<String, Long> out = new LinkedHashMap<>();
        live.forEach((h, at) -> out.put(h, Math.max(0, redisNow - at)));
        return out;
    }

    /** Why the last beat failed, or empty. */
    public String error() {
        return error;
    }

    @Override
    public void close() {
        if (beater != null) {
            beater.shutdownNow();
        }
    }
}
