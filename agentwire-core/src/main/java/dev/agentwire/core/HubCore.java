package dev.agentwire.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.audit.Audit;
import dev.agentwire.core.auth.Revocations;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.auth.TokenMethods;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.core.events.EventMethods;
import dev.agentwire.core.git.GitFollower;
import dev.agentwire.core.git.GitMethods;
import dev.agentwire.core.hub.HubMethods;
import dev.agentwire.core.hub.McpMethods;
import dev.agentwire.core.interceptors.AuditInterceptor;
import dev.agentwire.core.interceptors.AuthInterceptor;
import dev.agentwire.core.interceptors.MetricsInterceptor;
import dev.agentwire.core.interceptors.RateLimitInterceptor;
import dev.agentwire.core.interceptors.SizeLimitInterceptor;
import dev.agentwire.core.interceptors.TraceInterceptor;
import dev.agentwire.core.policy.TokenBucket;
import dev.agentwire.core.rooms.MemoryStore;
import dev.agentwire.core.rooms.RoomMethods;
import dev.agentwire.core.rooms.RoomService;
import dev.agentwire.core.rooms.RoomSettings;
import dev.agentwire.core.rooms.Store;
import dev.agentwire.core.router.LlmRouter;
import dev.agentwire.core.router.RouterMethods;
import dev.agentwire.core.router.RouterSettings;
import dev.agentwire.core.router.SpendLedger;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.core.services.ServiceMethods;
import dev.agentwire.core.services.ServiceRegistry;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.core.sessions.SessionManager;
import dev.agentwire.core.sessions.SessionMethods;
import dev.agentwire.core.terminals.TerminalMethods;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.core.tools.ToolMethods;
import dev.agentwire.core.tools.ToolRelay;
import dev.agentwire.protocol.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The hub without its transports: the method registry, the interceptor chain, the worker pool and the open
 * connections. Transports call {@link #admit} and {@link #open} for each peer; features register methods in
 * {@link #registry()} before the transports start.
 *
 * <p>Lifecycle: build, register, open connections, then {@link #beginShutdown}, {@link #awaitIdle} and
 * {@link #close}. Thread safe.
 */
public final class HubCore implements AutoCloseable {

    private final CoreSettings settings;
    private final Ticker ticker;
    private final MethodRegistry registry = new MethodRegistry();
    private final HubMetrics metrics = new HubMetrics();
    private Dispatcher dispatcher;
    private final ExecutorService workers;
    private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicInteger inflight = new AtomicInteger();
    private final Object idleLock = new Object();
    private final long startedAtMillis = System.currentTimeMillis();
    private final long startedAtNanos;
    private final List<Consumer<ObjectNode>> statusContributors = new ArrayList<>();
    private final ScheduledExecutorService timers;
    private final EventBus events;
    private final Audit audit;
    private SessionManager sessions;
    private ToolRelay tools;
    private ServiceRelay services;
    private volatile TerminalService terminals;
    private GitFollower git;
    private LlmRouter router;
    private RoomService rooms;
    private TokenService tokens;
    private volatile boolean accepting = true;
    private final Map<String, AtomicInteger> perIdentity = new ConcurrentHashMap<>();
    /** HTTP rate limits, per identity (bounded by the identities the hub's owner has minted tokens for). */
    private final Map<String, TokenBucket> httpBuckets = new ConcurrentHashMap<>();

    private final List<Consumer<Connection>> authenticatedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Consumer<Connection>> closedListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private HubCore(CoreSettings settings, Ticker ticker) {
        this.settings = settings;
        this.ticker = ticker;
        this.startedAtNanos = ticker.nanoTime();
        this.workers = newWorkerPool(settings.workerThreads());
        java.util.concurrent.ScheduledThreadPoolExecutor timer =
                new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "aw-timer");
                    t.setDaemon(true);
                    return t;
                });
        // Every relayed call arms a timeout and cancels it when answered: without this, tens of thousands of
        // cancelled timeouts a second would sit in the queue until their time came.
        timer.setRemoveOnCancelPolicy(true);
        this.timers = timer;
        this.events = new EventBus(() -> connections.values());
        this.audit = new Audit(events);
    }

    /** A hub core whose rooms live in memory (tests, embedders without durability). */
    public static HubCore create(CoreSettings settings, Ticker ticker) {
        return create(settings, ticker, new MemoryStore(), RoomSettings.defaults());
    }

    /** A hub core with every feature's methods registered; rooms are kept in {@code store}. */
    public static HubCore create(CoreSettings settings, Ticker ticker, Store store, RoomSettings roomSettings) {
        return create(settings, ticker, store, roomSettings, Revocations.inMemory());
    }

    /** The same, with the revoked token ids kept in {@code revocations}. */
    public static HubCore create(
            CoreSettings settings, Ticker ticker, Store store, RoomSettings roomSettings, Revocations revocations) {
        return create(settings, ticker, store, roomSettings, revocations, RouterSettings.defaults());
    }

    /** The same, with the LLM router's providers and budget (the day's spend kept in memory). */
    public static HubCore create(
            CoreSettings settings,
            Ticker ticker,
            Store store,
            RoomSettings roomSettings,
            Revocations revocations,
            RouterSettings routerSettings) {
        return create(settings, ticker, store, roomSettings, revocations, routerSettings, SpendLedger.inMemory());
    }

    /** The same, with the router's day's spend kept in {@code spendLedger}, so that a restart keeps it. */
    public static HubCore create(
            CoreSettings settings,
            Ticker ticker,
            Store store,
            RoomSettings roomSettings,
            Revocations revocations,
            RouterSettings routerSettings,
            SpendLedger spendLedger) {
        HubCore core = new HubCore(settings, ticker);
        core.tokens = new TokenService(settings.token(), revocations, java.time.Clock.systemUTC());
        core.dispatcher = new Dispatcher(core, core.registry, core.interceptors(), ticker);
        core.sessions = new SessionManager(
                ticker,
                core.events,
                settings.sessionTtl(),
                settings.sessionIdleTimeout(),
                settings.maxToolsPerSession(),
                settings.limits().maxSessionsPerIdentity(),
                (session, connection) -> {
                    if (session.tools().removeProvider(connection) > 0) {
                        ToolMethods.notifyChanged(session);
                    }
                },
                (session, reason) -> session.tools().clear());
        core.tools = new ToolRelay(core.timers, settings.toolCallTimeout(), settings.maxToolResultBytes());
        HubMethods.register(core);
        dev.agentwire.core.hub.ConnectionMethods.register(core);
        McpMethods.register(core);
        SessionMethods.register(
                core.registry, core.sessions, ticker, settings.limits().maxSessionTtl());
        ToolMethods.register(core.registry, core.tools, settings.toolsPageSize());
        EventMethods.register(core.registry);
        TokenMethods.register(core.registry, core.tokens, core.audit);
        core.rooms = new RoomService(store, roomSettings, ticker);
        core.rooms.start();
        RoomMethods.register(core.registry, core.rooms);
        core.services = new ServiceRelay(new ServiceRegistry(), core.timers, ticker, settings.serviceRequestTimeout());
        ServiceMethods.register(core.registry, core.services, core.events);
        core.git = new GitFollower(core.events);
        GitMethods.register(core.registry, core.git);
        core.router = new LlmRouter(routerSettings, java.time.Clock.systemUTC(), spendLedger);
        RouterMethods.register(core.registry, core.router);
        // One notifications/cancelled for every relay: the id names a service request, a terminals/wait or a tool call.
        core.registry.register("notifications/cancelled", Access.authenticated(), call -> {
            TerminalService terminals = core.terminals;
            if (!core.services.cancelled(call.connection(), call.params())
                    && (terminals == null || !terminals.cancelled(call.connection(), call.params()))) {
                core.tools.cancelled(call.connection(), call.params());
            }
            return java.util.concurrent.CompletableFuture.completedFuture(
                    Json.mapper().nullNode());
        });
        core.tokens.onRevoke(core::closeRevoked);
        core.timers.scheduleWithFixedDelay(core.rooms::trimAll, 1, 1, TimeUnit.MINUTES);
        core.timers.scheduleWithFixedDelay(core.sessions::expireDue, 1, 1, TimeUnit.SECONDS);
        return core;
    }

    private List<Interceptor> interceptors() {
        List<Interceptor> chain = new ArrayList<>();
        if (settings.trace()) {
            chain.add(new TraceInterceptor());
        }
        chain.add(new MetricsInterceptor(metrics, registry, ticker));
        chain.add(new AuthInterceptor(registry, tokens, audit));
        chain.add(new AuditInterceptor(registry, audit, events));
        chain.add(new SizeLimitInterceptor(settings.maxMessageBytes()));
        chain.add(new RateLimitInterceptor(this::bucketFor));
        return chain;
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

    /** Adds fields to {@code hub/status} (the server adds its sockets and port). Call before start. */
    public void addStatusContributor(Consumer<ObjectNode> contributor) {
        statusContributors.add(contributor);
    }

    /**
     * Publishes the hub's metrics to {@code registry}: {@link HubMetrics#bind}, plus open connections by
     * transport, live service instances, and the LLM router's spend. Call before start.
     */
    public void bindMeters(io.micrometer.core.instrument.MeterRegistry registry) {
        metrics.bind(registry);
        for (Transport t : Transport.values()) {
            io.micrometer.core.instrument.Gauge.builder(
                            "agentwire.connections",
                            connections,
                            m -> m.values().stream()
                                    .filter(c -> c.peer().transport() == t)
                                    .count())
                    .description("open connections by transport")
                    .tag("transport", t.label())
                    .register(registry);
        }
        io.micrometer.core.instrument.Gauge.builder(
                        "agentwire.service.instances", services.registry(), ServiceRegistry::instanceCount)
                .description("live service instances")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder(
                        "agentwire.router.spend",
                        router,
                        r -> r.budget().path("current_spend").asDouble())
                .description("the LLM router's spend today, in dollars")
                .baseUnit("dollars")
                .register(registry);
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
        TokenBucket bucket = settings.ratePerSecond() > 0
                ? new TokenBucket(settings.ratePerSecond(), settings.rateBurst(), ticker)
                : null;
        Connection c = new Connection(nextId.getAndIncrement(), peer, outbound, this, workers, bucket);
        sessions.enter(c);
        connections.put(c.id(), c);
        if (peer.transport() == Transport.UNIX) {
            // Admitted by the kernel's credentials and the peer policy: the owner's own processes hold every scope.
            try {
                authenticate(
                        c,
                        new TokenService.Grant(
                                peer.uid().isPresent() ? "uid:" + peer.uid().getAsInt() : "unix", Scopes.ALL));
            } catch (HubException e) {
                outbound.closeWith(e.toRpcError());
            }
        }
        if (!accepting) {
            outbound.closeWith(HubException.of(
                            dev.agentwire.protocol.ErrorCode.OVERLOADED, "shutting_down", "the hub is shutting down")
                    .toRpcError());
        }
        return c;
    }

    /**
     * Authenticates {@code c} with {@code grant}: checks the per-identity connection limit, records the grant (the
     * auth interceptor checks it again on every call), and closes the connection when a scoped token expires.
     * Transports and {@code hub/hello} call this; a connection may be authenticated again (an HTTP connection, per
     * request).
     *
     * @throws HubException {@code -32008} {@code too_many_connections}, fatal, when the identity holds
     *     {@code limits.maxConnectionsPerIdentity} already
     */
    public void authenticate(Connection c, TokenService.Grant grant) {
        boolean firstLogin;
        // Under the connection's lock, against forget(): a connection that closed meanwhile is not counted.
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
        for (Consumer<Connection> l : authenticatedListeners) {
            l.accept(c);
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
                    dev.agentwire.protocol.ErrorCode.OVERLOADED,
                    subject + " already has " + limit + " connections, the most one identity may hold"
                            + " (limits.maxConnectionsPerIdentity)",
                    data,
                    true);
        }
    }

    /** Tells {@code listener} of every connection authenticated from now on (on the authenticating thread). */
    public void onAuthenticated(Consumer<Connection> listener) {
        authenticatedListeners.add(listener);
    }

    /** Tells {@code listener} of every connection that closes from now on, after the features let it go. */
    public void onConnectionClosed(Consumer<Connection> listener) {
        closedListeners.add(listener);
    }

    private void release(String subject) {
        perIdentity.computeIfPresent(subject, (s, n) -> n.get() <= 1 ? null : new AtomicInteger(n.get() - 1));
    }

    /** A scoped token's time is up: its connection ends, unless it has authenticated with something else since. */
    private void expire(Connection c, TokenService.Grant grant) {
        if (c.isOpen() && c.grant().orElse(null) == grant) {
            c.outbound()
                    .closeWith(HubException.of(
                                    dev.agentwire.protocol.ErrorCode.FORBIDDEN,
                                    "token_expired",
                                    "the token expired at " + grant.expiresAt().get() + "; closing")
                            .toRpcError());
        }
    }

    /** A token was revoked: every connection that uses it, or a token it minted, ends now. */
    private void closeRevoked(String jti) {
        for (Connection c : connections.values()) {
            if (c.grant().map(g -> g.revocableBy().contains(jti)).orElse(false)) {
                c.outbound()
                        .closeWith(HubException.of(
                                        dev.agentwire.protocol.ErrorCode.FORBIDDEN,
                                        "token_revoked",
                                        "the token " + jti + " was revoked; closing")
                                .toRpcError());
            }
        }
    }

    /**
     * The rate-limit bucket a call of {@code c} takes from: an HTTP request takes from its identity's (shared by all
     * of that identity's HTTP connections), anything else from its connection's.
     */
    private Optional<TokenBucket> bucketFor(Connection c) {
        if (c.peer().transport() != Transport.HTTP || settings.ratePerSecond() <= 0) {
            return c.rate();
        }
        return Optional.of(httpBuckets.computeIfAbsent(
                c.subject(), s -> new TokenBucket(settings.ratePerSecond(), settings.rateBurst(), ticker)));
    }

    /** Open connections. */
    public Collection<Connection> connections() {
        return Collections.unmodifiableCollection(connections.values());
    }

    /** Sends {@code events/event {category, action, data}} to every open connection. */
    public void broadcastEvent(String category, String action, JsonNode data) {
        events.publish(category, action, data, connections.values());
    }

    /** The audit trail (refusals, logins, token changes, admin calls); the server points it at audit.log. */
    public Audit audit() {
        return audit;
    }

    /**
     * Publishes a {@code heartbeat} event every {@code every} (control.sock's {@code heartbeat} category: the hub is
     * alive, with its uptime and connections). Call once, before the transports start.
     */
    public void startHeartbeat(Duration every) {
        timers.scheduleWithFixedDelay(
                () -> {
                    ObjectNode beat = Json.mapper().createObjectNode();
                    beat.put("uptimeMs", uptimeMillis());
                    beat.put("connections", connections.size());
                    beat.put("inflight", inflight.get());
                    events.publish("heartbeat", "beat", beat);
                },
                every.toMillis(),
                every.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Hub events, for embedders to listen to. */
    public EventBus events() {
        return events;
    }

    public SessionManager sessions() {
        return sessions;
    }

    /** Tokens: verify and mint. */
    public TokenService tokens() {
        return tokens;
    }

    /** The rooms. */
    public RoomService rooms() {
        return rooms;
    }

    /**
     * Turns terminals on with {@code terminals} (the server builds it with its PTY launcher): registers the
     * {@code terminals/*} methods. Call before the transports start.
     */
    public void enableTerminals(TerminalService terminals) {
        this.terminals = terminals;
        TerminalMethods.register(registry, terminals);
    }

    /** The terminals, if enabled. */
    public Optional<TerminalService> terminals() {
        return Optional.ofNullable(terminals);
    }

    /** Git follow mode. */
    public GitFollower git() {
        return git;
    }

    /** The hub's timer thread, for features that schedule (timeouts, cleanups). */
    public ScheduledExecutorService timers() {
        return timers;
    }

    /** The services and their relay. */
    public ServiceRelay services() {
        return services;
    }

    /** The LLM router. */
    public LlmRouter router() {
        return router;
    }

    /** The tool relay (calls in flight). */
    public ToolRelay tools() {
        return tools;
    }

    /** Stops taking new calls and tells every peer the hub is going away. */
    public void beginShutdown() {
        if (accepting) {
            accepting = false;
            ObjectNode data = Json.mapper().createObjectNode();
            data.put("reason", "shutdown");
            broadcastEvent("system", "shutdown", data);
        }
    }

    /** Waits until no call is in flight, at most {@code timeout}. @return whether it got there */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idleLock) {
            while (inflight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idleLock, left);
            }
        }
        return true;
    }

    /** Whether new calls are taken. */
    public boolean isAccepting() {
        return accepting;
    }

    /** Calls in flight across all connections. */
    public int inflight() {
        return inflight.get();
    }

    public long startedAtMillis() {
        return startedAtMillis;
    }

    public long uptimeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - startedAtNanos);
    }

    /** The {@code hub/status} document. */
    public ObjectNode status() {
        ObjectNode s = Json.mapper().createObjectNode();
        s.put("hub", "agentwire");
        s.put("version", settings.version());
        s.put("pid", ProcessHandle.current().pid());
        s.put("startedAt", startedAtMillis);
        s.put("uptimeMs", uptimeMillis());
        ObjectNode conns = s.putObject("connections");
        conns.put("total", connections.size());
        for (Transport t : Transport.values()) {
            conns.put(
                    t.label(),
                    connections.values().stream()
                            .filter(c -> c.peer().transport() == t)
                            .count());
        }
        s.put("inflight", inflight.get());
        s.put("accepting", accepting);
        for (Consumer<ObjectNode> contributor : statusContributors) {
            contributor.accept(s);
        }
        s.set("calls", metrics.snapshot());
        s.put("slowConsumers", metrics.slowConsumers());
        s.put("droppedEphemeral", metrics.droppedEphemeralCount());
        return s;
    }

    /** Stops the workers. Connections should be closed by their transports first. */
    @Override
    public void close() {
        accepting = false;
        TerminalService t = terminals;
        if (t != null) {
            t.close();
        }
        git.close();
        timers.shutdownNow();
        rooms.close();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(settings.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    void forget(Connection c) {
        connections.remove(c.id());
        synchronized (c) { // closed() marked it closed first, so authenticate() counts it no more
            c.grant().ifPresent(g -> release(g.subject()));
            c.expiry(null);
        }
        // Its tools go before its pending calls fail, so a caller that hears -32003 finds the tool gone.
        sessions.remove(c);
        for (String service : services.registry().remove(c)) {
            events.publish(
                    "services",
                    "unregistered",
                    Json.mapper().createObjectNode().put("service", service).put("connectionId", c.id()));
        }
        c.requests().closeAll();
        tools.callerGone(c);
        services.callerGone(c);
        TerminalService t = terminals;
        if (t != null) {
            t.connectionClosed(c);
        }
        rooms.connectionClosed(c);
        for (Consumer<Connection> l : closedListeners) {
            l.accept(c);
        }
    }

    void callStarted() {
        inflight.incrementAndGet();
    }

    void callFinished() {
        if (inflight.decrementAndGet() == 0) {
            synchronized (idleLock) {
                idleLock.notifyAll();
            }
        }
    }

    private static ExecutorService newWorkerPool(int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "aw-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
    }
}
