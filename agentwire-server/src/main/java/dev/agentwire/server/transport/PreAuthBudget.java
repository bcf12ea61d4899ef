package dev.agentwire.server.transport;

import dev.agentwire.core.Connection;
import dev.agentwire.core.Transport;
import dev.agentwire.core.audit.Audit;
import dev.agentwire.protocol.Json;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many TCP connections have not authenticated yet: before a peer proves it has a secret, it may take only a
 * small share of the hub (issue 11: 1,100 connections sending headers one byte at a time used to exhaust the
 * hub's descriptors and lock the owner out of his own Unix socket; {@link AcceptGate} bounds the descriptors).
 *
 * <p>A connection takes a slot when it is accepted ({@link #admit}) and keeps it until it authenticates
 * ({@link #authenticated}: {@code hub/hello}, a WebSocket or API request with a credential) or closes
 * ({@link #closed}). Slots are keyed by the peer's {@code address:port}, which names one TCP connection at a time.
 * Limits: unauthenticated connections in total ({@code limits.maxUnauthenticated}) and per peer address
 * ({@code limits.maxUnauthenticatedPerAddress}). Thread safe.
 */
public final class PreAuthBudget {

    private final int maxUnauthenticated;
    private final int maxPerAddress;
    private final Audit audit;
    private final AtomicInteger unauthenticated = new AtomicInteger();
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
    /** Connections still unauthenticated, by {@code address:port}. */
    private final Map<String, Slot> pending = new ConcurrentHashMap<>();

    private final AtomicInteger refused = new AtomicInteger();

    public PreAuthBudget(int maxUnauthenticated, int maxPerAddress, Audit audit) {
        this.maxUnauthenticated = maxUnauthenticated;
        this.maxPerAddress = maxPerAddress;
        this.audit = audit;
    }

    /**
     * Takes a slot for a new TCP connection from {@code host} ({@code host:port} is {@code key}, {@code owner} the
     * channel); the reason it is refused, or empty when it is admitted.
     */
    Optional<String> admit(String key, String host, Object owner) {
        if (unauthenticated.incrementAndGet() > maxUnauthenticated) {
            unauthenticated.decrementAndGet();
            return refuse(
                    host,
                    maxUnauthenticated + " connections are waiting to authenticate, the allowed maximum"
                            + " (limits.maxUnauthenticated)");
        }
        boolean[] over = new boolean[1];
        perAddress.compute(host, (h, n) -> {
            int held = n == null ? 0 : n;
            if (held >= maxPerAddress) {
                over[0] = true;
                return n;
            }
            return held + 1;
        });
        if (over[0]) {
            unauthenticated.decrementAndGet();
            return refuse(
                    host,
                    maxPerAddress + " connections from " + host + " are waiting to authenticate, the allowed"
                            + " maximum (limits.maxUnauthenticatedPerAddress)");
        }
        Slot earlier = pending.put(key, new Slot(host, owner));
        if (earlier != null) {
            free(earlier); // a closed connection's, whose close was not seen yet: the same address:port is new
        }
        return Optional.empty();
    }

    /** The connection authenticated: it no longer counts as a stranger. */
    public void authenticated(Connection c) {
        if (c.peer().transport() != Transport.UNIX) {
            Slot slot = pending.remove(c.peer().address());
            if (slot != null) {
                free(slot);
            }
        }
    }

    /** The connection {@code owner} closed: its slot goes (if it still has one). */
    void closed(String key, Object owner) {
        Slot slot = pending.get(key);
        if (slot != null && slot.owner() == owner && pending.remove(key, slot)) {
            free(slot);
        }
    }

    private void free(Slot slot) {
        unauthenticated.decrementAndGet();
        perAddress.computeIfPresent(slot.host(), (h, n) -> n <= 1 ? null : n - 1);
    }

    /** An unauthenticated connection's slot: its address and its channel. */
    private record Slot(String host, Object owner) {}

    private Optional<String> refuse(String host, String reason) {
        refused.incrementAndGet();
        var f = Json.mapper().createObjectNode();
        f.put("transport", "tcp");
        f.put("peer", host);
        f.put("reason", "over_budget");
        f.put("message", reason);
        audit.record("connection_refused", f);
        return Optional.of(reason);
    }

    /** Connections refused so far (for hub/status). */
    public int refusedCount() {
        return refused.get();
    }

    /** Unauthenticated connections now. */
    public int unauthenticatedCount() {
        return unauthenticated.get();
    }
}
