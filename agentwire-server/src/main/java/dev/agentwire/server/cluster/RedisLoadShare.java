package dev.agentwire.server.cluster;

import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.services.Instance;
import dev.agentwire.core.services.LoadShare;
import dev.agentwire.core.services.LoadShare.Local;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services' loads counted across the cluster (docs/CLUSTER.md, "Services"): each hub counts the requests it has in
 * flight on each instance, wherever the instance is, in the service's hash in Redis, and {@code pick.lua} picks the
 * instance with the fewest over every live hub (a dead hub's counts drop out with it), ties in a turn every hub
 * shares. One script call per request, asynchronous. While Redis cannot be asked the hub picks on its own counts,
 * as a hub alone does. Thread safe.
 */
public final class RedisLoadShare implements LoadShare {

    private static final Logger log = LoggerFactory.getLogger(RedisLoadShare.class);
    private static final RedisScript PICK = RedisScript.named("pick");
    private static final RedisScript FINISH = RedisScript.named("finish");

    private final RedisLink redis;
    private final String hub;
    private final Supplier<Collection<String>> liveHubs;
    private final ClusterHealth health;
    /** The picks counted in Redis, by identity: exactly these are taken off when they end, whatever happens between. */
    private final java.util.Set<Directory.Entry<Instance>> counted = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));

    /** @param liveHubs the hubs that beat now (this one among them) */
    public RedisLoadShare(RedisLink redis, String hub, Supplier<Collection<String>> liveHubs, ClusterHealth health) {
        this.redis = redis;
        this.hub = hub;
        this.liveHubs = liveHubs;
        this.health = health;
    }

    static String loads(String service) {
        return "agentwire:{svc:" + service + "}:load";
    }

    static String turn(String service) {
        return "agentwire:{svc:" + service + "}:turn";
    }

    private static String member(Directory.Entry<Instance> e) {
        return e.owner().hub() + ":" + e.owner().connection();
    }

    @Override
    public CompletableFuture<Directory.Entry<Instance>> pick(
            String service, List<Directory.Entry<Instance>> live, int turn) {
        if (health.degraded()) {
            return CompletableFuture.completedFuture(((Local) LoadShare.local()).pickNow(live, turn));
        }
        List<String> args = new ArrayList<>(live.size() + 2);
        args.add(hub);
        Collection<String> hubs = liveHubs.get();
        args.add(String.join(",", hubs.isEmpty() ? List.of(hub) : hubs));
        live.forEach(e -> args.add(member(e)));
        return PICK.run(redis.async(), new String[] {loads(service), turn(service)}, args.toArray(String[]::new))
                .handle((r, e) -> {
                    if (e == null) {
                        int place = Integer.parseInt((String) r.get(0));
                        if (place >= 1 && place <= live.size()) {
                            Directory.Entry<Instance> e0 = live.get(place - 1);
                            // An entry of its own, so that its finish knows the count it made.
                            Directory.Entry<Instance> picked = new Directory.Entry<>(e0.name(), e0.owner(), e0.value());
                            counted.add(picked);
                            return picked;
                        }
                        log.warn("service {}: pick.lua answered {} for {} instances", service, place, live.size());
                    } else {
                        if (ClusterHealth.unreachable(e)) {
                            health.lost(e.getMessage());
                        }
                        log.debug("service {}: picking in Redis failed ({}); picking here", service, e.toString());
                    }
                    // Not counted in Redis: its finish takes nothing off there.
                    return ((Local) LoadShare.local()).pickNow(live, turn);
                });
    }

    @Override
    public void finished(String service, Directory.Entry<Instance> picked) {
        if (!counted.remove(picked)) {
            return; // picked here while Redis could not be asked: nothing was counted there
        }
        FINISH.run(redis.async(), new String[] {loads(service)}, member(picked) + "|" + hub)
                .whenComplete((r, e) -> {
                    if (e != null) {
                        // The count stays one too high until the field goes (finish.lua at 0): logged, not retried.
                        log.info("service {}: taking a request off its count failed: {}", service, e.toString());
                    }
                });
    }
}
