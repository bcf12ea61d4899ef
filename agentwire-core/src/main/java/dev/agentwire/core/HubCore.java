package dev.agentwire.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.audit.Audit;
import dev.agentwire.core.auth.Revocations;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The kernel: connections, the method registry, the interceptor chain, the worker pool and the hub's lifecycle.
 * It knows no feature: each {@link Feature} registers its methods and listeners through a {@link HubContext}
 * when the hub is assembled ({@link #builder}). Transports call {@link #admit} and {@link #open} for each peer.
 *
 * <p>Lifecycle: build, open connections, then {@link #beginShutdown}, {@link #awaitIdle} and {@link #close}.
 * Thread safe.
 */
public final class HubCore implements AutoCloseable {

    private final CoreSettings settings;
    private final Ticker ticker;
    private final MethodRegistry registry = new MethodRegistry();
    private final HubMetrics metrics = new HubMetrics();
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;
    private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final InFlight inflight = new InFlight();
    private final EventBus events;
    private final Audit audit;
    private final TokenService tokens;
    private final Hooks hooks = new Hooks();
    private final Logins logins;
    private final StatusReport report;
    private Dispatcher dispatcher;

    HubCore(CoreSettings settings, Ticker ticker, Revocations revocations, Clock clock) {
        this.settings = settings;
        this.ticker = ticker;
        this.workers = Threads.workers(settings.workerThreads());
        this.timers = Threads.timer();
        this.events = new EventBus(connections::values);
        this.audit = new Audit(events);
        this.tokens = new TokenService(settings.token(), revocations, clock);
        this.logins = new Logins(settings, tokens, audit, timers, ticker, hooks.authenticated);
        this.report = new StatusReport(this, hooks);
    }

    /** Assembles a hub from its features, in order; see {@link HubBuilder}. */
    public static HubBuilder builder(CoreSettings settings, Ticker ticker) {
        return new HubBuilder(settings, ticker);
    }

    /** Takes calls through {@code chain}. Called once, by the builder, after the features installed. */
    void start(List<Interceptor> chain) {
        tokens.onRevoke(jti -> logins.closeRevoked(jti, connections.values()));
        dispatcher = new Dispatcher(this, registry, chain, ticker);
    }

    /** A service a feature provided (the rooms, the sessions, ...); {@link IllegalStateException} if none did. */
    public <T> T require(Class<T> type) {
        return Optional.ofNullable(hooks.services.get(type))
                .map(type::cast)
                .orElseThrow(
                        () -> new IllegalStateException("no feature of this hub provides " + type.getSimpleName()));
    }

    /** Why this peer may not connect, or empty if it may. */
    public Optional<String> admit(Peer peer) {
        return settings.peerPolicy().refusal(peer);
    }

    /**
     * Registers a new connection. Unix-socket peers (already admitted) start authenticated; TCP peers must
     * present the token in {@code hub/hello}.
     */
    public Connection open(Peer peer, Outbound outbound) {
        Connection c = new Connection(nextId.getAndIncrement(), peer, outbound, this, workers, logins.newBucket());
        Hooks.each(hooks.opened, c);
        connections.put(c.id(), c);
        if (peer.transport() == Transport.UNIX) {
            logins.admitted(c);
        }
        if (!inflight.accepting()) {
            outbound.closeWith(HubException.of(ErrorCode.OVERLOADED, "shutting_down", "the hub is shutting down")
                    .toRpcError());
        }
        return c;
    }

    /** Authenticates {@code c} with {@code grant} (transports, {@code hub/hello}); see {@link Logins#authenticate}. */
    public void authenticate(Connection c, TokenService.Grant grant) {
        logins.authenticate(c, grant);
    }

    /** Tells {@code listener} of every connection authenticated from now on (on the authenticating thread). */
    public void onAuthenticated(Consumer<Connection> listener) {
        hooks.authenticated.add(listener);
    }

    /**
     * Tells {@code listener} of every connection opened from now on, on the transport's thread, before it is
     * authenticated: it must be quick and must not block.
     */
    public void onConnectionOpened(Consumer<Connection> listener) {
        hooks.opened.add(listener);
    }

    /** Tells {@code listener} of every connection that closes from now on, after the features let it go. */
    public void onConnectionClosed(Consumer<Connection> listener) {
        hooks.closed.add(listener);
    }

    /** Adds fields to {@code hub/status} (the server adds its sockets and port). */
    public void addStatusContributor(Consumer<ObjectNode> contributor) {
        hooks.status.add(contributor);
    }

    /** Publishes the hub's metrics, its connections by transport and every feature's meters to {@code registry}. */
    public void bindMeters(io.micrometer.core.instrument.MeterRegistry registry) {
        report.bindMeters(registry);
    }

    /** Publishes a {@code heartbeat} event (uptime, connections) every {@code every}. Call once. */
    public void startHeartbeat(Duration every) {
        report.startHeartbeat(every);
    }

    /** Stops taking new calls and tells every peer the hub is going away. */
    public void beginShutdown() {
        if (inflight.stopAccepting()) {
            var data = Json.mapper().createObjectNode().put("reason", "shutdown");
            events.publish("system", "shutdown", data, connections.values()); // to every peer, subscribed or not
        }
    }

    /** Waits until no call is in flight, at most {@code timeout}. @return whether it got there */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return inflight.awaitIdle(timeout);
    }

    /** Stops the features (in the reverse of install order), the timers and the workers. */
    @Override
    public void close() {
        inflight.stopAccepting();
        for (int i = hooks.stops.size() - 1; i >= 0; i--) {
            Threads.closeQuietly(hooks.stops.get(i));
        }
        timers.shutdownNow();
        Threads.stop(workers, settings.shutdownGrace());
    }

    void forget(Connection c) {
        connections.remove(c.id());
        logins.loggedOut(c);
        // The features let it go first (its tools, its services), then the calls it was answering fail: a caller
        // that hears -32003 finds the tool gone. On the connection's own queue: after the calls it had queued (a
        // registration queued before the close is undone, not left behind), and off the transport's I/O thread,
        // which must not wait (a cluster's directory asks Redis).
        Runnable letGo = () -> {
            try {
                Hooks.each(hooks.closed, c);
                c.requests().closeAll();
            } finally {
                c.released().complete(null);
            }
        };
        try {
            c.serial().resume();
            c.serial().execute(letGo);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            letGo.run(); // the hub is stopping: its workers are gone
        }
    }

    InFlight calls() {
        return inflight;
    }

    public CoreSettings settings() {
        return settings;
    }

    public MethodRegistry registry() {
        return registry;
    }

    public HubMetrics metrics() {
        return metrics;
    }

    public Ticker ticker() {
        return ticker;
    }

    /** The open connection numbered {@code id}, if there is one. */
    public java.util.Optional<Connection> connection(long id) {
        return java.util.Optional.ofNullable(connections.get(id));
    }

    public Collection<Connection> connections() {
        return Collections.unmodifiableCollection(connections.values());
    }

    /** The audit trail (refusals, logins, token changes, admin calls); the server points it at audit.log. */
    public Audit audit() {
        return audit;
    }

    public EventBus events() {
        return events;
    }

    public TokenService tokens() {
        return tokens;
    }

    /** The hub's timer thread, for timeouts and cleanups. */
    public ScheduledExecutorService timers() {
        return timers;
    }

    public boolean isAccepting() {
        return inflight.accepting();
    }

    /** Calls in flight across all connections. */
    public int inflight() {
        return inflight.count();
    }

    public long startedAtMillis() {
        return report.startedAtMillis();
    }

    public long uptimeMillis() {
        return report.uptimeMillis();
    }

    /** The {@code hub/status} document. */
    public ObjectNode status() {
        return report.status();
    }

    StatusReport report() {
        return report;
    }

    Hooks hooks() {
        return hooks;
    }

    Logins logins() {
        return logins;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }
}
