package dev.agentwire.core.services;

import dev.agentwire.core.relay.Directory;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the requests in flight on each instance are counted, and the least loaded instance picked: this hub's own
 * counts ({@link #local()}, a hub alone), or every hub's (a cluster's, in Redis), so that callers on different hubs
 * do not all pick the same instance. Thread safe.
 */
public interface LoadShare {

    /**
     * The least loaded of {@code live} (never empty), ties taken in turn; the request is counted on it. May complete
     * on another thread (a cluster asks Redis); never blocks the caller.
     *
     * @param turn this hub's round-robin position for the service (or the group), for a share that keeps none
     */
    CompletableFuture<Directory.Entry<Instance>> pick(String service, List<Directory.Entry<Instance>> live, int turn);

    /** The request {@link #pick} counted on {@code picked} ended. */
    void finished(String service, Directory.Entry<Instance> picked);

    /** The instances' own counts, on this hub. */
    static LoadShare local() {
        return Local.INSTANCE;
    }

    /** The fewest pending requests as this hub sees them; among equals the next from {@code turn}. */
    final class Local implements LoadShare {
        static final Local INSTANCE = new Local();

        private Local() {}

        /** The pick, now: what a cluster's share falls back on while it cannot ask. */
        public Directory.Entry<Instance> pickNow(List<Directory.Entry<Instance>> live, int turn) {
            int n = live.size();
            int start = Math.floorMod(turn, n);
            Directory.Entry<Instance> best = null;
            for (int i = 0; i < n; i++) {
                Directory.Entry<Instance> candidate = live.get((start + i) % n);
                if (best == null || candidate.value().pending() < best.value().pending()) {
                    best = candidate;
                }
            }
            return best;
        }

        @Override
        public CompletableFuture<Directory.Entry<Instance>> pick(
                String service, List<Directory.Entry<Instance>> live, int turn) {
            return CompletableFuture.completedFuture(pickNow(live, turn));
        }

        @Override
        public void finished(String service, Directory.Entry<Instance> picked) {
            // Instance.pending is the count: the relay keeps it.
        }
    }
}
