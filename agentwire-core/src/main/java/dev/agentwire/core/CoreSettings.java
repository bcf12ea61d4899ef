package dev.agentwire.core;

import dev.agentwire.core.policy.PeerPolicy;
import dev.agentwire.protocol.Framing;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What the kernel needs to know, fixed at start; each feature takes its own settings.
 *
 * @param version the hub's version string
 * @param token the shared secret TCP peers present in {@code hub/hello}
 * @param maxMessageBytes the largest message accepted
 * @param ratePerSecond calls per second per connection; 0 turns rate limiting off
 * @param rateBurst the bucket size
 * @param peerPolicy which Unix-socket peers may connect
 * @param trace whether to log every call ({@code logging.transport})
 * @param shutdownGrace how long shutdown waits for calls in flight
 * @param workerThreads threads that run handlers
 * @param limits what one identity may hold, and the bounds on batches and sessions
 */
public record CoreSettings(
        String version,
        String token,
        int maxMessageBytes,
        double ratePerSecond,
        int rateBurst,
        PeerPolicy peerPolicy,
        boolean trace,
        Duration shutdownGrace,
        int workerThreads,
        TrustLimits limits) {

    public CoreSettings {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("token must not be empty");
        }
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes must be positive: " + maxMessageBytes);
        }
        if (ratePerSecond < 0 || (ratePerSecond > 0 && rateBurst <= 0)) {
            throw new IllegalArgumentException(
                    "rate (" + ratePerSecond + "/s) must be >= 0 and burst (" + rateBurst + ") positive");
        }
        if (workerThreads <= 0) {
            throw new IllegalArgumentException("workerThreads must be positive: " + workerThreads);
        }
    }

    /** Settings for tests and embedders: owner-only, 16 MiB, no rate limit. */
    public static CoreSettings defaults(String token) {
        return new CoreSettings(
                "dev",
                token,
                Framing.DEFAULT_MAX_BYTES,
                0,
                0,
                new PeerPolicy(OptionalInt.empty(), Set.of(), Set.of(), Set.of()),
                false,
                Duration.ofSeconds(5),
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                TrustLimits.defaults());
    }
}
