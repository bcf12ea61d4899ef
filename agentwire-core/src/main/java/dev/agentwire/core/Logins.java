package dev.agentwire.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.audit.Audit;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.policy.TokenBucket;
import dev.agentwire.protocol.ErrorCode;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Who is logged in: records each connection's credential, counts connections per identity
 * ({@code limits.maxConnectionsPerIdentity}), ends a connection when its token expires or is revoked, and keeps
 * the HTTP rate buckets per identity. Thread safe.
 */
final class Logins {

    private final CoreSettings settings;
    private final TokenService tokens;
    private final Audit audit;
    private final ScheduledExecutorService timers;
    private final Ticker ticker;
    private final List<Consumer<Connection>> listeners;
    private final Map<String, AtomicInteger> perIdentity = new ConcurrentHashMap<>();
    /** HTTP rate limits, per identity (bounded by the identities the hub's owner has minted tokens for). */
    private final Map<String, TokenBucket> httpBuckets = new ConcurrentHashMap<>();

    Logins(
            CoreSettings settings,
            TokenService tokens,
            Audit audit,
            ScheduledExecutorService timers,
            Ticker ticker,
            List<Consumer<Connection>> listeners) {
        this.settings = settings;
        this.tokens = tokens;
        this.audit = audit;
        this.timers = timers;
        this.ticker = ticker;
        this.listeners = listeners;
    }

    /**
     * Authenticates {@code c} with {@code grant}: checks the per-identity connection limit, records the grant (the
     * auth interceptor checks it again on every call), and closes the connection when a scoped token expires. A
     * connection may be authenticated again (an HTTP connection, per request).
     *
     * @throws HubException {@code -32008} {@code too_many_connections}, fatal, when the identity holds
     *     {@code limits.maxConnectionsPerIdentity} already
     */
    void authenticate(Connection c, TokenService.Grant grant) {
        boolean firstLogin;
        // Under the connection's lock, against loggedOut(): a connection that closed meanwhile is not counted.
        synchronized (c) {
            if (!c.isOpen() || grant.equals(c.grant().orElse(null))) {
                return; // gone, or the same credential again (an HTTP keep-alive connection's next request)
            }
            String previous = c.grant().map(TokenService.Grant::subject).orElse(null);
            if (!grant.subject().equals(previous)) {
                take(grant.subject());
                if (previous != null) {
                    release(previous);
                }
            }
            firstLogin = previous == null;
            c.grant(grant);
            c.expiry(grant.expiresAt()
                    .map(at -> timers.schedule(
                            () -> expire(c, grant),
                            Math.max(0, at.toEpochMilli() - tokens.clock().millis()) + 1,
                            TimeUnit.MILLISECONDS))
                    .orElse(null));
        }
        if (firstLogin && c.peer().transport() != Transport.UNIX) {
            ObjectNode f = Audit.who(c);
            grant.jti().ifPresent(j -> f.put("jti", j));
            audit.record("login", f);
        }
        Hooks.each(listeners, c);
    }

    /**
     * A Unix-socket peer, admitted by the kernel's credentials and the peer policy: the owner's own processes hold
     * every scope. Past the per-identity limit it is closed with the reason.
     */
    void admitted(Connection c) {
        String subject = c.peer().uid().isPresent() ? "uid:" + c.peer().uid().getAsInt() : "unix";
        try {
            authenticate(c, new TokenService.Grant(subject, dev.agentwire.core.auth.Scopes.ALL));
        } catch (HubException e) {
            c.outbound().closeWith(e.toRpcError());
        }
    }

    /** A connection closed: its identity holds one connection fewer, and its expiry timer goes. */
    void loggedOut(Connection c) {
        synchronized (c) { // closed() marked it closed first, so authenticate() counts it no more
            c.grant().ifPresent(g -> release(g.subject()));
            c.expiry(null);
        }
    }

    /** Counts one more connection of {@code subject}, or refuses it past the limit (one atomic step). */
    private void take(String subject) {
        int limit = settings.limits().maxConnectionsPerIdentity();
        boolean[] over = new boolean[1];
        perIdentity.compute(subject, (s, n) -> {
            int held = n == null ? 0 : n.get();
            if (held >= limit) {
                over[0] = true;
                return n;
            }
            return new AtomicInteger(held + 1);
        });
        if (over[0]) {
            var data = HubException.reasonData("too_many_connections");
            data.put("limit", limit);
            throw HubException.withData(
                    ErrorCode.OVERLOADED,
                    subject + " already has " + limit + " connections, the most one identity may hold"
                            + " (limits.maxConnectionsPerIdentity)",
                    data,
                    true);
        }
    }

    private void release(String subject) {
        perIdentity.computeIfPresent(subject, (s, n) -> n.get() <= 1 ? null : new AtomicInteger(n.get() - 1));
    }

    /** A scoped token's time is up: its connection ends, unless it has authenticated with something else since. */
    private void expire(Connection c, TokenService.Grant grant) {
        if (c.isOpen() && c.grant().orElse(null) == grant) {
            c.outbound()
                    .closeWith(HubException.of(
                                    ErrorCode.FORBIDDEN,
                                    "token_expired",
                                    "the token expired at " + grant.expiresAt().get() + "; closing")
                            .toRpcError());
        }
    }

    /** A token was revoked: every connection that uses it, or a token it minted, ends now. */
    void closeRevoked(String jti, Collection<Connection> connections) {
        for (Connection c : connections) {
            if (c.grant().map(g -> g.revocableBy().contains(jti)).orElse(false)) {
                c.outbound()
                        .closeWith(HubException.of(
                                        ErrorCode.FORBIDDEN,
                                        "token_revoked",
                                        "the token " + jti + " was revoked; closing")
                                .toRpcError());
            }
        }
    }

    /** A new connection's own rate bucket, or null when rate limiting is off. */
    TokenBucket newBucket() {
        return settings.ratePerSecond() > 0
                ? new TokenBucket(settings.ratePerSecond(), settings.rateBurst(), ticker)
                : null;
    }

    /**
     * The rate-limit bucket a call of {@code c} takes from: an HTTP request takes from its identity's (shared by all
     * of that identity's HTTP connections), anything else from its connection's.
     */
    Optional<TokenBucket> bucketFor(Connection c) {
        if (c.peer().transport() != Transport.HTTP || settings.ratePerSecond() <= 0) {
            return c.rate();
        }
        return Optional.of(httpBuckets.computeIfAbsent(
                c.subject(), s -> new TokenBucket(settings.ratePerSecond(), settings.rateBurst(), ticker)));
    }
}
