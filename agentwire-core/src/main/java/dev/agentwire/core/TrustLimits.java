package dev.agentwire.core;

import java.time.Duration;

/**
 * What one identity (a uid, a token's subject) may hold at once, and the bounds on what a call may make the hub
 * hold; each refusal names the limit and its configuration key. Immutable.
 *
 * @param maxConnectionsPerIdentity open connections per identity ({@code limits.maxConnectionsPerIdentity})
 * @param maxSessionsPerIdentity sessions one identity may have created and not closed
 *     ({@code limits.maxSessionsPerIdentity})
 * @param maxSessionTtl the longest lifetime a session may ask for ({@code sessions.maxTtlSeconds})
 * @param maxBatchEntries calls in one JSON-RPC batch ({@code limits.maxBatchEntries})
 * @param maxOutboundBytes the most a connection may have waiting to be written ({@code limits.maxOutboundBytes});
 *     a batch whose answer is larger is answered with {@code -32006} instead
 */
public record TrustLimits(
        int maxConnectionsPerIdentity,
        int maxSessionsPerIdentity,
        Duration maxSessionTtl,
        int maxBatchEntries,
        long maxOutboundBytes) {

    /** The longest session name, in characters. */
    public static final int MAX_SESSION_NAME = 128;

    public TrustLimits {
        if (maxConnectionsPerIdentity <= 0 || maxSessionsPerIdentity <= 0 || maxBatchEntries <= 0) {
            throw new IllegalArgumentException("identity limits must be positive: connections="
                    + maxConnectionsPerIdentity + " sessions=" + maxSessionsPerIdentity + " batch=" + maxBatchEntries);
        }
        if (maxSessionTtl.isNegative() || maxSessionTtl.isZero()) {
            throw new IllegalArgumentException("maxSessionTtl must be positive: " + maxSessionTtl);
        }
        if (maxOutboundBytes <= 0) {
            throw new IllegalArgumentException("maxOutboundBytes must be positive: " + maxOutboundBytes);
        }
    }

    /** The embedded defaults (docs/CONFIGURATION.md). */
    public static TrustLimits defaults() {
        return new TrustLimits(1024, 32, Duration.ofDays(7), 1000, 16L << 20);
    }
}
