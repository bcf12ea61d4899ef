package dev.agentwire.core;

import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.policy.TokenBucket;
import dev.agentwire.protocol.Parsed;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One peer's connection as the core sees it: its identity, its authentication state, and the serial queue its
 * calls run on. Created by {@link HubCore#open}; the transport feeds it with {@link #receive} and ends it with
 * {@link #closed}.
 *
 * <p>Thread safe: the transport's I/O thread calls {@code receive}, workers read the state.
 */
public final class Connection {

    private final long id;
    private final Peer peer;
    private final Outbound outbound;
    private final HubCore hub;
    private final SerialExecutor serial;
    private final TokenBucket rate;
    private final long openedAtMillis;
    private final AtomicInteger inflight = new AtomicInteger();
    private final AtomicLong rateLimited = new AtomicLong();
    private final java.util.concurrent.atomic.LongAdder bytesIn = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder messagesIn = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytesOut = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder messagesOut = new java.util.concurrent.atomic.LongAdder();
    private volatile TokenService.Grant grant;
    /** Ends the connection when a scoped token or a login expires; guarded by this connection's lock. */
    private java.util.concurrent.ScheduledFuture<?> expiryTimer;

    private volatile String name = "";
    private volatile String role = "";
    private volatile boolean mcpInitialized;
    private volatile boolean open = true;
    /** What features keep per connection (its session, ...), by key; see {@link AttributeKey}. */
    private final java.util.Map<AttributeKey<?>, Object> attributes = new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.Set<String> subscriptions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final PeerRequests requests = new PeerRequests(this);
    private final java.util.concurrent.atomic.AtomicReference<Runnable> idleAction =
            new java.util.concurrent.atomic.AtomicReference<>();

    Connection(long id, Peer peer, Outbound outbound, HubCore hub, Executor workers, TokenBucket rate) {
        this.id = id;
        this.peer = peer;
        this.outbound = outbound;
        this.hub = hub;
        this.serial = new SerialExecutor(workers, this::checkIdle);
        this.rate = rate;
        this.openedAtMillis = System.currentTimeMillis();
    }

    /** Hands one decoded JSON text to the hub. Called by the transport on its I/O thread; never blocks. */
    public void receive(Parsed parsed, int sizeBytes) {
        hub.dispatcher().dispatch(this, parsed, sizeBytes);
    }

    /**
     * Runs {@code action} once nothing is queued or in flight on this connection (now, if that is already so).
     * The transport uses it when the peer half-closes: answer what was asked, then close.
     */
    public void whenIdle(Runnable action) {
        idleAction.set(action);
        checkIdle();
    }

    /** Runs the idle action if the connection has gone idle. Called after each reply and each drained queue. */
    void checkIdle() {
        if (idleAction.get() != null && inflight.get() == 0 && serial.isIdle()) {
            Runnable action = idleAction.getAndSet(null);
            if (action != null) {
                action.run();
            }
        }
    }

    /**
     * Holds this connection's queued calls (the transport calls it while the peer's outbound bytes are over
     * the high-water mark); {@link #resumeDispatch} lets them run again. Calls already running finish.
     */
    public void pauseDispatch() {
        serial.pause();
    }

    public void resumeDispatch() {
        serial.resume();
    }

    /** The value kept under {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public <T> T get(AttributeKey<T> key) {
        return (T) attributes.get(key);
    }

    /** Keeps {@code value} under {@code key} (null removes it). */
    public <T> void set(AttributeKey<T> key, T value) {
        if (value == null) {
            attributes.remove(key);
        } else {
            attributes.put(key, value);
        }
    }

    /** Requests the hub sends to this peer, and their replies. */
    public PeerRequests requests() {
        return requests;
    }

    /** Whether this peer subscribed to events of {@code category}. */
    public boolean subscribedTo(String category) {
        return subscriptions.contains(category);
    }

    public void subscribe(java.util.Collection<String> categories) {
        subscriptions.addAll(categories);
    }

    public void unsubscribe(java.util.Collection<String> categories) {
        subscriptions.removeAll(categories);
    }

    public java.util.Set<String> subscriptions() {
        return java.util.Set.copyOf(subscriptions);
    }

    private final java.util.concurrent.CompletableFuture<Void> released =
            new java.util.concurrent.CompletableFuture<>();

    /**
     * Completes once the hub has let this connection go after {@link #closed}: every feature's close hook has run
     * (on the connection's queue, after the calls it had queued) and the calls it was answering have failed.
     */
    public java.util.concurrent.CompletableFuture<Void> released() {
        return released;
    }

    /** Tells the hub the transport closed. Idempotent; the features let it go soon after ({@link #released}). */
    public void closed() {
        if (open) {
            open = false;
            hub.forget(this);
        }
    }

    public long id() {
        return id;
    }

    public Peer peer() {
        return peer;
    }

    public Outbound outbound() {
        return outbound;
    }

    public boolean isOpen() {
        return open;
    }

    public boolean isAuthenticated() {
        return grant != null;
    }

    /** The name the peer gave in {@code hub/hello}, or "" before. */
    public String name() {
        return name;
    }

    public String role() {
        return role;
    }

    public void introduce(String name, String role) {
        this.name = name == null ? "" : name;
        this.role = role == null ? "" : role;
    }

    /**
     * Who the credential says this peer is: {@code uid:N} on Unix sockets, {@code token} for the hub's token, a
     * scoped token's {@code sub}, {@code browser} for the owner's browser login; {@code anonymous} before.
     */
    public String subject() {
        TokenService.Grant g = grant;
        return g == null ? "anonymous" : g.subject();
    }

    /**
     * Who this peer is to other peers (a room message's {@code from}, a service request's {@code from.identity}):
     * the kernel's {@code uid:N} for Unix sockets, else the credential's {@link #subject()}.
     */
    public String identity() {
        return peer.uid().isPresent() ? "uid:" + peer.uid().getAsInt() : subject();
    }

    /** What this peer may do (see {@link dev.agentwire.core.auth.Scopes}); nothing before authentication. */
    public java.util.Set<String> scopes() {
        TokenService.Grant g = grant;
        return g == null ? java.util.Set.of() : g.scopes();
    }

    /** Cancels the timer that would end the current credential, and keeps {@code next} instead (or none). */
    void expiry(java.util.concurrent.ScheduledFuture<?> next) {
        java.util.concurrent.ScheduledFuture<?> old = expiryTimer;
        expiryTimer = next;
        if (old != null) {
            old.cancel(false);
        }
    }

    /** The credential this connection authenticated with, if it did. */
    public Optional<TokenService.Grant> grant() {
        return Optional.ofNullable(grant);
    }

    /**
     * Authenticates the connection with {@code grant}. Transports call {@link HubCore#authenticate} instead, which
     * also applies the per-identity limits and ends the connection when the grant expires.
     */
    void grant(TokenService.Grant grant) {
        this.grant = grant;
    }

    public boolean mcpInitialized() {
        return mcpInitialized;
    }

    public void markMcpInitialized() {
        mcpInitialized = true;
    }

    public long openedAtMillis() {
        return openedAtMillis;
    }

    /** Calls started and not yet answered. */
    public int inflight() {
        return inflight.get();
    }

    /** Counts one message read from the peer. */
    void countIn(int bytes) {
        bytesIn.add(bytes);
        messagesIn.increment();
    }

    /** Counts what the transport wrote to the peer ({@code messages} in {@code bytes}). */
    public void countOut(long bytes, int messages) {
        bytesOut.add(bytes);
        messagesOut.add(messages);
    }

    /** {@code {bytesIn, messagesIn, bytesOut, messagesOut}}. */
    public long[] traffic() {
        return new long[] {bytesIn.sum(), messagesIn.sum(), bytesOut.sum(), messagesOut.sum()};
    }

    public long rateLimitedCount() {
        return rateLimited.get();
    }

    /** The per-connection token bucket, if rate limiting is on. */
    public Optional<TokenBucket> rate() {
        return Optional.ofNullable(rate);
    }

    /** Counts one call refused by the rate limit. */
    public void recordRateLimited() {
        rateLimited.incrementAndGet();
    }

    SerialExecutor serial() {
        return serial;
    }

    AtomicInteger inflightCounter() {
        return inflight;
    }

    @Override
    public String toString() {
        return "conn#" + id + " (" + peer.describe() + (name.isEmpty() ? "" : ", " + name) + ")";
    }
}
