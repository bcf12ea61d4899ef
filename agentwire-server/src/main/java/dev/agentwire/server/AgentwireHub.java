package dev.agentwire.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.Feature;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.auth.TokensFeature;
import dev.agentwire.core.calls.CallsFeature;
import dev.agentwire.core.catalog.CatalogFeature;
import dev.agentwire.core.events.EventsFeature;
import dev.agentwire.core.git.GitFeature;
import dev.agentwire.core.hub.HubFeature;
import dev.agentwire.core.policy.PeerPolicy;
import dev.agentwire.core.rooms.RoomService;
import dev.agentwire.core.rooms.RoomsFeature;
import dev.agentwire.core.router.LlmRouter;
import dev.agentwire.core.router.RouterFeature;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.core.services.ServicesFeature;
import dev.agentwire.core.sessions.SessionsFeature;
import dev.agentwire.core.terminals.RemoteTerminals;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.core.terminals.TerminalsFeature;
import dev.agentwire.core.tools.ToolRelay;
import dev.agentwire.core.tools.ToolsFeature;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.audit.FileAuditLog;
import dev.agentwire.server.cluster.ClusterCodecs;
import dev.agentwire.server.cluster.ClusterEvents;
import dev.agentwire.server.cluster.ClusterHealth;
import dev.agentwire.server.cluster.ClusterSettings;
import dev.agentwire.server.cluster.ClusterStatus;
import dev.agentwire.server.cluster.ClusterTerminals;
import dev.agentwire.server.cluster.FallbackStore;
import dev.agentwire.server.cluster.HubBeats;
import dev.agentwire.server.cluster.Inbox;
import dev.agentwire.server.cluster.RedisAgentSettings;
import dev.agentwire.server.cluster.RedisAgents;
import dev.agentwire.server.cluster.RedisCallers;
import dev.agentwire.server.cluster.RedisDirectory;
import dev.agentwire.server.cluster.RedisLink;
import dev.agentwire.server.cluster.RedisLoadShare;
import dev.agentwire.server.cluster.RedisRoomBus;
import dev.agentwire.server.cluster.RedisStore;
import dev.agentwire.server.config.ConfigLoader;
import dev.agentwire.server.config.HubConfig;
import dev.agentwire.server.home.FileRevocations;
import dev.agentwire.server.home.FileSpendLedger;
import dev.agentwire.server.home.HubHome;
import dev.agentwire.server.store.SqliteCallStore;
import dev.agentwire.server.store.SqliteSessionStore;
import dev.agentwire.server.store.SqliteStore;
import dev.agentwire.server.terminals.ProcessForwarders;
import dev.agentwire.server.terminals.Pty4jLauncher;
import dev.agentwire.server.transport.AgentChannelInitializer;
import dev.agentwire.server.transport.HandlerPools;
import dev.agentwire.server.transport.HubChannelInitializer;
import dev.agentwire.server.transport.IpcChannelInitializer;
import dev.agentwire.server.transport.LineSocketInitializer;
import dev.agentwire.server.transport.PreAuthBudget;
import dev.agentwire.server.transport.SocketGuard;
import dev.agentwire.server.web.BrowserLogins;
import dev.agentwire.server.web.HubPages;
import dev.agentwire.server.web.LoginCodeMethod;
import dev.agentwire.server.web.WebAccess;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running hub: its home directory, its core, and its listeners (the Unix socket and the loopback TCP port).
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} (idempotent, also what SIGTERM does): tell every
 * peer {@code system/shutdown}, let calls in flight finish (bounded by {@code limits.shutdownGraceMs}), close the
 * connections, remove the socket file and {@code hub.json}. Configuration is fixed once built.
 */
public final class AgentwireHub implements AutoCloseable {

    /** Created on first use, so that {@code aw hub} can set the log level first. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(AgentwireHub.class);
    }

    /** Fixed at start, when it moves onto the home's real path; never changed after. */
    private HubConfig config;

    private final HubHome home;
    private final Ticker ticker;
    private final NettyTransport transport;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private HubCore core;
    private EventLoopGroup boss;
    private EventLoopGroup io;
    /** TCP's own accept thread and event loops: strangers on the port never queue ahead of the owner's sockets. */
    private EventLoopGroup tcpBoss;

    private EventLoopGroup tcpIo;
    private ChannelGroup channels;
    private Channel unixListener;
    private Channel tcpListener;
    private AgentSockets agentSockets;
    private Channel apiListener;
    private Channel controlListener;
    private PrometheusMeterRegistry meters;
    private PreAuthBudget budget;
    private FileAuditLog auditLog;
    /** With {@code cluster.redis}: the link to Redis, the rooms' bus on it, and this hub's id among the others. */
    private RedisLink redis;

    private RedisRoomBus roomBus;
    private String hubId;
    private Inbox inbox;
    private RedisDirectory<dev.agentwire.core.tools.ToolTable.Entry> toolDirectory;
    private RedisDirectory<dev.agentwire.core.sessions.Session.Info> sessionDirectory;
    private RedisDirectory<dev.agentwire.core.services.Instance> serviceDirectory;
    private HubBeats beats;
    private RedisAgents redisAgents;
    private RedisCallers redisCallers;
    private ClusterEvents clusterEvents;
    /** Whether Redis is reachable now (cluster mode only). */
    private ClusterHealth clusterHealth;

    private RedisDirectory<String> terminalDirectory;
    private ClusterTerminals clusterTerminals;

    private TerminalService terminals;
    /** What starts a spawned terminal's detached forwarder; empty: terminals run in the hub's process. */
    private List<String> terminalForwarder = List.of();

    private int tcpPort = -1;
    private String token;
    private WebAccess web;
    private HandlerPools handlerPools;
    private dev.agentwire.server.socketio.EngineServer socketIo;
    private dev.agentwire.server.mcp.McpHttpServer mcpHttp;
    private dev.agentwire.server.a2a.A2aServer a2a;
    /** The embedder's listeners ({@link #on}); at most this many events wait for them. */
    private final HubEvents embedderEvents = new HubEvents(10_000);

    private AgentwireHub(HubConfig config, Ticker ticker, NettyTransport transport) {
        this.config = config;
        this.home = new HubHome(config.home());
        this.ticker = ticker;
        this.transport = transport;
    }

    /** A builder that starts from the embedded defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Binds every listener; returns when the hub is ready. */
    public AgentwireHub start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the hub is already started");
        }
        try {
            doStart();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    private void doStart() {
        home.prepare();
        // The home's real path from here on: a link swapped later changes nothing for this hub.
        config = config.withHome(home.dir());
        token = home.token();
        OptionalInt owner = home.ownerUid();
        if (config.socketAbstract()) {
            SocketGuard.checkLength("abstract socket name", "@" + config.abstractName());
        } else {
            SocketGuard.checkLength("socket path", config.socketPath().toString());
            SocketGuard.clear(config.socketPath(), config.socketCleanup());
        }
        // Read before anything opens: a bad file stops the start with nothing to undo.
        var spendLedger = new FileSpendLedger(home.dir().resolve("router-spend.json"));
        connectCluster();
        core = HubCore.builder(settings(owner), ticker)
                .revocations(new FileRevocations(home.dir().resolve("revoked.json")))
                .features(features(spendLedger))
                .build();
        core.addStatusContributor(this::describeListeners);
        embedderEvents.start(core);
        int restored =
                core.require(dev.agentwire.core.sessions.SessionManager.class).restore();
        if (restored > 0) {
            Log.LOG.info("{} sessions of an earlier run restored from hub.db", restored);
        }
        joinCluster();
        describeCluster();
        auditLog = new FileAuditLog(
                        home.dir().resolve("audit.log"), config.auditMaxBytes(), 10, java.time.Clock.systemUTC())
                .start();
        core.audit().useLog(auditLog);
        core.startHeartbeat(Duration.ofSeconds(config.heartbeatSeconds()));
        terminals = core.require(TerminalService.class);
        int recovered = terminals.recover();
        if (recovered > 0) {
            Log.LOG.info("{} terminal sessions of an earlier hub are gone; marked exited", recovered);
        }
        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        core.bindMeters(meters);
        if (beats != null) {
            Gauge.builder("agentwire.cluster.hubs", beats, b -> b.live().size())
                    .description("live hubs of the cluster, this one included")
                    .register(meters);
            Gauge.builder(
                            "agentwire.cluster.heartbeat.ok",
                            beats,
                            b -> b.error().isEmpty() ? 1 : 0)
                    .description("1 while this hub's heartbeats reach Redis")
                    .register(meters);
            Gauge.builder("agentwire.cluster.degraded", clusterHealth, h -> h.degraded() ? 1 : 0)
                    .description("1 while Redis is unreachable and the hub serves its own connections alone")
                    .register(meters);
            Gauge.builder("agentwire.cluster.outages", clusterHealth, ClusterHealth::outages)
                    .description("times Redis was lost since the hub started")
                    .register(meters);
        }
        core.registry()
                .register(
                        "services/socket",
                        dev.agentwire.core.rpc.Access.scope("services:provide"),
                        call -> agentSockets.socketMethod(call));
        web = new WebAccess(
                config.host(),
                config.allowedHosts(),
                config.allowedOrigins(),
                new BrowserLogins(ticker, Duration.ofSeconds(config.loginCookieSeconds())));
        core.registry()
                .register(
                        "auth/login-code",
                        dev.agentwire.core.rpc.Access.scope("admin"),
                        new LoginCodeMethod(web, () -> tcpPort)::call);
        channels = new DefaultChannelGroup("agentwire", GlobalEventExecutor.INSTANCE);
        boss = transport.newGroup(1, "aw-accept");
        io = transport.newGroup(config.ioThreads(), "aw-io");
        if (config.tcpEnabled()) {
            tcpBoss = transport.newGroup(1, "aw-accept-tcp");
            tcpIo = transport.newGroup(config.ioThreads(), "aw-io-tcp");
        }
        budget = new PreAuthBudget(config.maxUnauthenticated(), config.maxUnauthenticatedPerAddress(), core.audit());
        core.onAuthenticated(budget::authenticated);
        var pipeline = new HubChannelInitializer.Settings(
                config.maxMessageBytes(),
                config.maxOutboundBytes(),
                config.helloTimeoutMs(),
                owner,
                config.slowConsumerGraceMs(),
                budget,
                new HubChannelInitializer.HttpTimeouts(
                        config.httpHeaderTimeoutMs(), config.httpBodyTimeoutMs(), config.httpIdleTimeoutMs()),
                config.idlePingSeconds());
        bindUnix(pipeline);
        if (config.tcpEnabled()) {
            bindTcp(pipeline);
        }
        handlerPools = new HandlerPools();
        terminals.ipcSockets((id, path) -> {
            SocketGuard.checkLength("ipc socket path", path.toString());
            Channel ch = bootstrap(transport.serverDomainChannel())
                    .childHandler(new IpcChannelInitializer(
                            core, transport, terminals, id, pipeline, channels, handlerPools.ipc()))
                    .bind(transport.domainAddress(path.toString(), false))
                    .syncUninterruptibly()
                    .channel();
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return () -> {
                ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                Files.deleteIfExists(path);
            };
        });
        apiListener = bindHomeSocket(
                "api.sock", LineSocketInitializer.api(core, transport, pipeline, channels, handlerPools.api()));
        controlListener =
                bindHomeSocket("control.sock", LineSocketInitializer.control(core, transport, pipeline, channels));
        agentSockets = new AgentSockets(
                home.dir().resolve("agents"),
                () -> bootstrap(transport.serverDomainChannel()),
                path -> transport.domainAddress(path, false),
                name -> new AgentChannelInitializer(
                        core, transport, name, "agents/" + name + ".sock", pipeline, channels),
                config.maxServiceSockets());
        core.onConnectionClosed(agentSockets::connectionClosed);
        for (String name : config.serviceSockets()) {
            try {
                agentSockets.open(name);
            } catch (HubException e) {
                throw new HubStartException("services.sockets: " + e.getMessage(), e);
            }
        }
        home.writeHubJson(hubJson());
        Log.LOG.info(
                "agentwire hub {} listening on {}{} ({} transport, home {})",
                Version.current(),
                config.socketDisplay(),
                tcpPort >= 0 ? " and " + config.host() + ":" + tcpPort : "",
                transport.name().toLowerCase(java.util.Locale.ROOT),
                home.dir());
        if (tcpPort >= 0) {
            // As Jupyter does: the owner sees a link that logs a browser in (once, for a short while).
            Log.LOG.info(
                    "log a browser in (once, within {} minutes; `aw open` makes another): {}",
                    BrowserLogins.CODE_TTL.toMinutes(),
                    web.loginUrl(tcpPort, web.logins().issue(HubPages.DEFAULT)));
        }
    }

    /** Prompts and resources, under the tools' limits. */
    private static CatalogFeature catalog(ToolsFeature.Settings tools) {
        return new CatalogFeature(tools.callTimeout(), tools.maxResultBytes(), tools.maxPerSession());
    }

    /** The hub's features, in install order: one that uses another's service comes after it. */
    private List<Feature> features(FileSpendLedger spendLedger) {
        return List.of(
                new HubFeature(),
                new EventsFeature(),
                new TokensFeature(),
                sessionDirectory == null
                        ? new SessionsFeature(
                                config.section(SessionsFeature.Settings.class),
                                SqliteSessionStore.open(home.dir().resolve("hub.db")))
                        : new SessionsFeature(config.section(SessionsFeature.Settings.class), sessionDirectory),
                toolDirectory == null
                        ? new ToolsFeature(config.section(ToolsFeature.Settings.class))
                        : new ToolsFeature(config.section(ToolsFeature.Settings.class), toolDirectory),
                catalog(config.section(ToolsFeature.Settings.class)),
                serviceDirectory == null
                        ? new ServicesFeature(config.section(ServicesFeature.Settings.class))
                        : new ServicesFeature(
                                config.section(ServicesFeature.Settings.class),
                                serviceDirectory,
                                new RedisLoadShare(
                                        redis,
                                        hubId,
                                        () -> beats == null
                                                ? List.of(hubId)
                                                : beats.live().keySet(),
                                        clusterHealth)),
                rooms(),
                new GitFeature(),
                new RouterFeature(config.router(), spendLedger),
                new TerminalsFeature(
                        home.dir().resolve("control"),
                        new Pty4jLauncher(),
                        terminalForwarder.isEmpty()
                                ? Optional.empty()
                                : Optional.of(new ProcessForwarders(terminalForwarder, this::endpoint)),
                        config.section(TerminalService.Settings.class),
                        clusterTerminals == null ? RemoteTerminals.NONE : clusterTerminals),
                new CallsFeature(
                        config.section(CallsFeature.Settings.class),
                        () -> SqliteCallStore.open(home.dir().resolve("hub.db"))));
    }

    /** With {@code cluster.redis}: connects to Redis (or stops the start, naming it) and opens the rooms' bus. */
    private void connectCluster() {
        ClusterSettings cluster = config.section(ClusterSettings.class);
        if (!cluster.enabled()) {
            if (!config.section(RedisAgentSettings.class).redis().isEmpty()) {
                throw new HubStartException(
                        "services.redis (Redis agents) needs cluster.redis: the Redis they listen on");
            }
            return;
        }
        hubId = cluster.hubId().isEmpty() ? defaultHubId() : cluster.hubId();
        try {
            redis = cluster.required()
                    ? RedisLink.connect(cluster.redis(), cluster.timeout())
                    : RedisLink.connectWhenReachable(cluster.redis(), cluster.timeout());
        } catch (RuntimeException e) {
            throw new HubStartException(e.getMessage(), e);
        }
        clusterHealth = new ClusterHealth();
        if (!redis.connected()) {
            // cluster.required: false and Redis away: alone (degraded) until a heartbeat reaches it.
            clusterHealth.lost("Redis " + redis + " was not reachable at start");
        }
        roomBus = new RedisRoomBus(redis, hubId, cluster.probe());
        whenRedis(roomBus::start);
        inbox = new Inbox(redis, hubId, cluster.ack(), id -> core == null ? Optional.empty() : core.connection(id));
        toolDirectory = new RedisDirectory<>(redis, "tools", hubId, ClusterCodecs.tools(inbox), cluster.timeout())
                .degradeWith(clusterHealth);
        whenRedis(toolDirectory::start);
        redisAgents = new RedisAgents(redis, hubId);
        whenRedis(redisAgents::start);
        serviceDirectory = new RedisDirectory<>(
                        redis, "services", hubId, ClusterCodecs.services(inbox, redisAgents), cluster.timeout())
                .degradeWith(clusterHealth);
        whenRedis(serviceDirectory::start);
        sessionDirectory = new RedisDirectory<>(redis, "sessions", hubId, ClusterCodecs.sessions(), cluster.timeout())
                .degradeWith(clusterHealth);
        whenRedis(sessionDirectory::start);
        terminalDirectory = new RedisDirectory<>(redis, "terminals", hubId, ClusterTerminals.CODEC, cluster.timeout())
                .degradeWith(clusterHealth);
        whenRedis(terminalDirectory::start);
        clusterTerminals = new ClusterTerminals(
                inbox,
                terminalDirectory,
                hubId,
                () -> beats == null ? java.util.Set.of(hubId) : beats.live().keySet());
        // A hub that restarts under the same id before the others found it dead: what its last run registered is
        // stale (its connections are gone), and its connection numbers start again.
        for (RedisDirectory<?> d : List.of(toolDirectory, serviceDirectory, sessionDirectory, terminalDirectory)) {
            whenRedis(() -> d.purgeHub(hubId));
        }
        Log.LOG.info("cluster: hub {} on Redis {}", hubId, redis);
    }

    /** What waits for Redis: a hub started without it runs these, in order, when a heartbeat first reaches it. */
    private final List<Runnable> untilRedis = new java.util.ArrayList<>();

    /** Runs {@code start} now if Redis is connected, else once it is (before everything else that is restored). */
    private void whenRedis(Runnable start) {
        if (redis.connected()) {
            start.run();
        } else {
            untilRedis.add(start);
        }
    }

    /**
     * Starts what waited for Redis, each step once: a step that fails stays for the next restore, and the hub is
     * degraded again so that the next heartbeat that reaches Redis retries it.
     */
    private synchronized void joinLate() {
        if (untilRedis.isEmpty()) {
            return;
        }
        Log.LOG.info("cluster: Redis {} answers; joining the cluster", redis);
        while (!untilRedis.isEmpty()) {
            try {
                untilRedis.get(0).run();
            } catch (RuntimeException e) {
                Log.LOG.warn("cluster: joining failed; the next heartbeat tries again: {}", e.toString());
                clusterHealth.lost("joining the cluster failed: " + e.getMessage());
                return;
            }
            untilRedis.remove(0);
        }
    }

    /** Once the features are in: other hubs' calls reach them, and the heartbeat starts. */
    private void joinCluster() {
        if (redis == null) {
            return;
        }
        ClusterSettings cluster = config.section(ClusterSettings.class);
        clusterTerminals.start(core);
        inbox.serve("tools", core.require(ToolRelay.class))
                .serve("services", core.require(ServiceRelay.class))
                .startTimers();
        whenRedis(inbox::subscribe);
        core.events().addListener((category, action, data) -> {
            if (category.equals("session")) {
                clusterTerminals.syncSoon(); // a terminal started or ended: the others find it sooner
            }
        });
        redisAgents.register(
                core.require(ServiceRelay.class).registry(),
                config.section(RedisAgentSettings.class).redis());
        redisCallers = new RedisCallers(redis, core);
        whenRedis(redisCallers::start);
        clusterEvents = new ClusterEvents(redis, hubId, core.events());
        whenRedis(clusterEvents::start);
        ObjectNode info = Json.mapper().createObjectNode();
        info.put("pid", ProcessHandle.current().pid());
        info.put("version", Version.current());
        info.put("startedAt", core.startedAtMillis());
        clusterHealth
                // First what a hub started without Redis has not started yet.
                .onRestored(this::joinLate)
                .onDegraded(why -> core.events()
                        .publish(
                                "cluster",
                                "degraded",
                                Json.mapper()
                                        .createObjectNode()
                                        .put("hub", hubId)
                                        .put("reason", why)))
                // Back in order: this hub's entries, its rooms' subscriptions, the outbox and the rooms' members.
                .onRestored(toolDirectory::rejoin)
                .onRestored(serviceDirectory::rejoin)
                .onRestored(sessionDirectory::rejoin)
                .onRestored(terminalDirectory::rejoin)
                .onRestored(roomBus::resubscribe)
                .onRestored(() -> core.require(RoomService.class).catchUp())
                .onRestored(() -> core.events()
                        .publish(
                                "cluster",
                                "restored",
                                Json.mapper().createObjectNode().put("hub", hubId)));
        beats = new HubBeats(redis, hubId, cluster.heartbeat(), cluster.deadAfter(), info.toString())
                .health(clusterHealth)
                // Its entries go first: a caller told -32003 no longer finds the dead hub's tools.
                .onDead(toolDirectory::purgeHub)
                .onDead(serviceDirectory::purgeHub)
                .onDead(sessionDirectory::purgeHub)
                .onDead(terminalDirectory::purgeHub)
                .onDead(inbox::hubDied)
                .onRevived(toolDirectory::reassert)
                .onRevived(serviceDirectory::reassert)
                .onRevived(sessionDirectory::reassert)
                .onRevived(terminalDirectory::reassert)
                .afterBeat(toolDirectory::check)
                .afterBeat(serviceDirectory::check)
                .afterBeat(sessionDirectory::check)
                .afterBeat(terminalDirectory::check)
                .afterBeat(clusterTerminals::sync)
                .start();
    }

    /** {@code hub/cluster} ({@code aw cluster}, {@code GET /api/cluster}), and the cluster in {@code hub/status}. */
    private void describeCluster() {
        ClusterStatus status = beats == null ? null : new ClusterStatus(redis, hubId, beats, clusterHealth);
        core.registry()
                .register(
                        "hub/cluster",
                        dev.agentwire.core.rpc.Access.authenticated(),
                        call -> java.util.concurrent.CompletableFuture.completedFuture(
                                status == null ? ClusterStatus.alone() : status.describe()));
        if (status != null) {
            core.addStatusContributor(s -> s.set("cluster", status.summary()));
        }
    }

    /** The host's name and a random suffix: unique among hubs that share a host. */
    private static String defaultHubId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.\\-]", "-");
        } catch (IOException e) {
            host = "hub";
        }
        byte[] suffix = new byte[3];
        new java.security.SecureRandom().nextBytes(suffix);
        String id = host + "-" + java.util.HexFormat.of().formatHex(suffix);
        return id.length() > 64 ? id.substring(id.length() - 64) : id;
    }

    /** Rooms in SQLite on one hub; in Redis, delivered through its pub/sub, in a cluster. */
    private RoomsFeature rooms() {
        if (redis == null) {
            return new RoomsFeature(SqliteStore.open(home.dir().resolve("hub.db")), config.rooms());
        }
        ClusterSettings cluster = config.section(ClusterSettings.class);
        var shared = new RedisStore(redis, hubId, config.rooms()::maxMessages, cluster.timeout());
        var store = new FallbackStore(
                        shared,
                        redis,
                        () -> SqliteStore.open(home.dir().resolve("cluster-outbox.db")),
                        clusterHealth,
                        cluster.timeout())
                .recover();
        return new RoomsFeature(store, roomBus, config.rooms());
    }

    private CoreSettings settings(OptionalInt owner) {
        Set<Integer> uids = new HashSet<>(config.allowUids());
        return new CoreSettings(
                Version.current(),
                token,
                config.maxMessageBytes(),
                config.ratePerSecond(),
                config.rateBurst(),
                new PeerPolicy(owner, uids, Set.copyOf(config.allowGids()), Set.copyOf(config.allowProcesses())),
                config.logTransport(),
                Duration.ofMillis(config.shutdownGraceMs()),
                config.workerThreads(),
                config.limits());
    }

    /**
     * {@code limits.maxTcpConnections}, or when 0 the descriptors this process may open less a reserve of 256 for
     * the Unix sockets, terminals and files, so that TCP can never take the descriptors the owner needs.
     */
    private int maxTcpConnections() {
        if (config.maxTcpConnections() > 0) {
            return config.maxTcpConnections();
        }
        long fds = 1024;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            fds = unix.getMaxFileDescriptorCount();
        }
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, fds - 256));
    }

    private ServerBootstrap bootstrap(Class<? extends io.netty.channel.ServerChannel> channel) {
        return bootstrap(channel, boss, io);
    }

    private ServerBootstrap bootstrap(
            Class<? extends io.netty.channel.ServerChannel> channel, EventLoopGroup acceptor, EventLoopGroup loops) {
        ServerBootstrap b = new ServerBootstrap().group(acceptor, loops).channel(channel);
        // A peer that shuts its output (echo ... | nc -U) still gets every answer before the hub closes.
        b.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        b.childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(config.highWaterMark() / 2, config.highWaterMark()));
        if (config.sendBuffer() > 0) {
            b.childOption(ChannelOption.SO_SNDBUF, config.sendBuffer());
        }
        if (config.receiveBuffer() > 0) {
            b.childOption(ChannelOption.SO_RCVBUF, config.receiveBuffer());
        }
        return b;
    }

    private void bindUnix(HubChannelInitializer.Settings pipeline) {
        String display = config.socketDisplay();
        var address = config.socketAbstract()
                ? transport.domainAddress(config.abstractName(), true)
                : transport.domainAddress(config.socketPath().toString(), false);
        ServerBootstrap b = bootstrap(transport.serverDomainChannel())
                .childHandler(HubChannelInitializer.unix(core, transport, display, pipeline, channels));
        try {
            unixListener = b.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            if (config.socketAbstract() && String.valueOf(e.getMessage()).contains("in use")) {
                // Ours ("already running") or another user's: the holder's peer credentials tell.
                throw SocketGuard.abstractNameTaken(transport, config.abstractName(), e);
            }
            throw new HubStartException("cannot bind " + display + ": " + e.getMessage(), e);
        }
        if (!config.socketAbstract()) {
            applyFileMode(config.socketPath());
        }
    }

    /** A socket of the VibeTunnel seed's beside hub.sock ({@code api.sock}, {@code control.sock}; 0600). */
    private Channel bindHomeSocket(String name, io.netty.channel.ChannelHandler initializer) {
        Path path = home.dir().resolve(name);
        SocketGuard.checkLength(name + " path", path.toString());
        SocketGuard.clear(path, config.socketCleanup());
        Channel ch = bootstrap(transport.serverDomainChannel())
                .childHandler(initializer)
                .bind(transport.domainAddress(path.toString(), false))
                .syncUninterruptibly()
                .channel();
        try {
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new HubStartException("cannot set the mode of " + path + ": " + e, e);
        }
        return ch;
    }

    private void bindTcp(HubChannelInitializer.Settings pipeline) {
        var sio = config.section(dev.agentwire.server.socketio.SocketIoSettings.class);
        socketIo = sio.enabled() ? new dev.agentwire.server.socketio.EngineServer(core, sio) : null;
        var mcp = config.section(dev.agentwire.server.mcp.McpHttpSettings.class);
        mcpHttp = mcp.enabled() ? new dev.agentwire.server.mcp.McpHttpServer(core, mcp) : null;
        a2a = new dev.agentwire.server.a2a.A2aServer(core, home.dir().resolve("hub.db"));
        a2a.start();
        ServerBootstrap b = bootstrap(transport.serverTcpChannel(), tcpBoss, tcpIo)
                // A restarted hub takes its port back while the old connections sit in TIME_WAIT.
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(HubChannelInitializer.acceptGate(maxTcpConnections()))
                .childOption(ChannelOption.TCP_NODELAY, config.noDelay())
                .childHandler(HubChannelInitializer.tcp(
                        core,
                        transport,
                        config.host() + ":" + config.clientPort(),
                        pipeline,
                        channels,
                        this::health,
                        meters::scrape,
                        web,
                        java.util.Optional.ofNullable(socketIo),
                        java.util.Optional.ofNullable(mcpHttp),
                        java.util.Optional.ofNullable(a2a)));
        try {
            tcpListener = b.bind(new InetSocketAddress(config.host(), config.clientPort()))
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) {
            throw new HubStartException(
                    "cannot listen on " + config.host() + ":" + config.clientPort() + ": " + e.getMessage()
                            + " (set clientPort, or -1 to turn TCP off)",
                    e);
        }
        tcpPort = ((InetSocketAddress) tcpListener.localAddress()).getPort();
    }

    private void applyFileMode(Path socket) {
        try {
            Set<PosixFilePermission> perms = new HashSet<>();
            int mode = config.socketMode();
            PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
            for (int i = 0; i < 9; i++) {
                if ((mode & (1 << (8 - i))) != 0) {
                    perms.add(bits[i]);
                }
            }
            Files.setPosixFilePermissions(socket, perms);
            if (config.socketGroup().isPresent()) {
                String name = config.socketGroup().get();
                GroupPrincipal group;
                try {
                    group = socket.getFileSystem()
                            .getUserPrincipalLookupService()
                            .lookupPrincipalByGroupName(name);
                } catch (UserPrincipalNotFoundException e) {
                    throw new HubStartException("server.socket.group: there is no group named '" + name + "'", e);
                }
                Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
            }
        } catch (IOException e) {
            throw new HubStartException("cannot set mode/group of " + socket + ": " + e, e);
        }
    }

    private ObjectNode hubJson() {
        ObjectNode j = Json.mapper().createObjectNode();
        j.put("pid", ProcessHandle.current().pid());
        j.put("version", Version.current());
        j.put("home", home.dir().toString());
        ObjectNode sockets = j.putObject("sockets");
        sockets.put("hub", config.socketDisplay());
        if (tcpPort >= 0) {
            j.put("host", config.host());
            j.put("port", tcpPort);
        }
        j.put("transport", transport.name().toLowerCase(java.util.Locale.ROOT));
        j.put("startedAt", core.startedAtMillis());
        if (redis != null) {
            j.putObject("cluster").put("hub", hubId).put("redis", redis.toString());
        }
        return j;
    }

    private void describeListeners(ObjectNode status) {
        if (budget != null) {
            ObjectNode tcp = status.putObject("tcp");
            tcp.put("unauthenticated", budget.unauthenticatedCount());
            tcp.put("refused", budget.refusedCount());
        }
        ObjectNode sockets = status.putObject("sockets");
        sockets.put("hub", config.socketDisplay());
        if (tcpPort >= 0) {
            status.put("port", tcpPort);
        }
        status.put("home", home.dir().toString());
        status.put("transport", transport.name().toLowerCase(java.util.Locale.ROOT));
        if (agentSockets != null) {
            sockets.set("agents", agentSockets.describe());
        }
        if (apiListener != null) {
            sockets.put("api", home.dir().resolve("api.sock").toString());
        }
        if (controlListener != null) {
            sockets.put("control", home.dir().resolve("control.sock").toString());
        }
    }

    private ObjectNode health() {
        ObjectNode h = Json.mapper().createObjectNode();
        // The orchestrator seed's fields (status "healthy", agents, timestamp, interfaces, llm_router) and ours.
        h.put("status", core.isAccepting() ? "healthy" : "shutting_down");
        h.put("version", Version.current());
        h.put("uptimeMs", core.uptimeMillis());
        h.put(
                "timestamp",
                java.time.Instant.now()
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        .toString());
        h.put("agents", core.require(ServiceRelay.class).registry().instanceCount());
        h.put("connections", core.connections().size());
        if (clusterHealth != null) {
            h.put("cluster", clusterHealth.state());
        }
        var interfaces = h.putArray("interfaces");
        interfaces.add("unix-sockets");
        interfaces.add("websocket");
        interfaces.add("http");
        interfaces.add("tcp");
        if (socketIo != null) {
            interfaces.add("socket.io");
        }
        if (mcpHttp != null) {
            interfaces.add("mcp-http");
        }
        if (a2a != null) {
            interfaces.add("a2a");
        }
        h.set("llm_router", core.require(LlmRouter.class).budget());
        return h;
    }

    /**
     * Listens to {@code event}, named as the BTCP seed's {@code server.on('session:created', ...)} names it:
     * {@code connection:opened}, {@code connection:closed}, {@code session:created}, {@code session:expired},
     * {@code session:closed}, {@code tool:registered}, {@code tool:unregistered} ({@link HubEvent.Type}). May be
     * called before or after {@link #start()}.
     *
     * @throws IllegalArgumentException for another name
     */
    public AgentwireHub on(String event, java.util.function.Consumer<HubEvent> listener) {
        HubEvent.Type type = HubEvent.Type.named(event)
                .orElseThrow(() -> new IllegalArgumentException("no hub event named '" + event + "'; the events are "
                        + java.util.Arrays.stream(HubEvent.Type.values())
                                .map(HubEvent.Type::eventName)
                                .toList()));
        return on(type, listener);
    }

    /**
     * Listens to events of {@code type}. Listeners run one at a time on the hub's embedder-events thread, never on
     * an event loop, in the order the events happened; one that throws is logged and the hub goes on. Events that
     * happen while 10,000 wait for slow listeners are dropped (logged, and counted by {@link #droppedEvents()}).
     */
    public AgentwireHub on(HubEvent.Type type, java.util.function.Consumer<HubEvent> listener) {
        embedderEvents.add(type, listener);
        return this;
    }

    /** Embedder events dropped because the listeners were too slow ({@link #on}). */
    public long droppedEvents() {
        return embedderEvents.dropped();
    }

    /** The hub's core, where features register methods. */
    public HubCore core() {
        if (core == null) {
            throw new IllegalStateException("the hub is not started");
        }
        return core;
    }

    public HubConfig config() {
        return config;
    }

    /** The TCP port actually bound, if TCP is on. */
    public OptionalInt tcpPort() {
        return tcpPort >= 0 ? OptionalInt.of(tcpPort) : OptionalInt.empty();
    }

    /** The shared secret TCP clients present. */
    public String token() {
        return token;
    }

    /** The hub socket as a client endpoint: {@code unix:/path} or {@code unix:@name}. */
    public String endpoint() {
        return "unix:" + config.socketDisplay();
    }

    public NettyTransport transport() {
        return transport;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (core != null) {
            core.beginShutdown();
            try {
                if (!core.awaitIdle(Duration.ofMillis(config.shutdownGraceMs()))) {
                    Log.LOG.warn(
                            "shutdown: {} calls still in flight after {} ms",
                            core.inflight(),
                            config.shutdownGraceMs());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (agentSockets != null) {
            agentSockets.close();
        }
        for (String name : new String[] {"api.sock", "control.sock"}) {
            Channel listener = name.equals("api.sock") ? apiListener : controlListener;
            if (listener != null) {
                listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                try {
                    Files.deleteIfExists(home.dir().resolve(name));
                } catch (IOException e) {
                    Log.LOG.warn("cannot remove {}: {}", name, e.toString());
                }
            }
        }
        for (Channel listener : new Channel[] {unixListener, tcpListener}) {
            if (listener != null) {
                listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
        if (socketIo != null) {
            socketIo.closeAll();
        }
        if (mcpHttp != null) {
            mcpHttp.closeAll();
        }
        if (a2a != null) {
            a2a.close();
        }
        if (channels != null) {
            // Flush first: a reply's write runs on the event loop and queues its flush behind it, so a close
            // queued in between would drop an answer the grace above waited for.
            channels.flush();
            channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (EventLoopGroup g : new EventLoopGroup[] {tcpBoss, tcpIo, boss, io}) {
            if (g != null) {
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        if (handlerPools != null) {
            handlerPools.close();
        }
        if (core != null) {
            core.close();
        }
        embedderEvents.close();
        if (beats != null) {
            beats.close();
        }
        if (redisAgents != null) {
            redisAgents.close();
        }
        if (redisCallers != null) {
            redisCallers.close();
        }
        if (clusterEvents != null) {
            clusterEvents.close();
        }
        if (inbox != null) {
            inbox.close();
        }
        if (clusterTerminals != null) {
            clusterTerminals.close();
        }
        for (RedisDirectory<?> d :
                new RedisDirectory<?>[] {toolDirectory, serviceDirectory, sessionDirectory, terminalDirectory}) {
            if (d != null) {
                d.close();
            }
        }
        if (roomBus != null) {
            roomBus.close(); // closed by the rooms too, unless the start failed before they had it
        }
        if (redis != null) {
            redis.close();
        }
        if (auditLog != null) {
            auditLog.close();
        }
        if (unixListener != null && !config.socketAbstract()) {
            try {
                Files.deleteIfExists(config.socketPath());
            } catch (IOException e) {
                Log.LOG.warn("cannot remove {}: {}", config.socketPath(), e.toString());
            }
        }
        if (unixListener != null) {
            home.removeHubJson(ProcessHandle.current().pid());
        }
        Log.LOG.info("agentwire hub stopped");
    }

    /** Builds a hub from the same options as {@code agentwire.yaml}. */
    public static final class Builder {
        private final ConfigLoader loader = new ConfigLoader();
        private Path home;
        private Optional<Path> configFile = Optional.empty();
        private Map<String, String> env = Map.of();
        private Ticker ticker = Ticker.SYSTEM;
        private NettyTransport transport;
        private HubConfig config;
        private List<String> terminalForwarder = List.of();

        private Builder() {}

        /**
         * Runs each spawned terminal under a detached forwarder started with {@code launch} (up to the forwarder's
         * options; {@code aw hub} gives {@link ProcessForwarders#javaLaunch}), so that terminals
         * outlive the hub. Without it, terminals run on PTYs of the hub's process.
         */
        public Builder terminalForwarder(List<String> launch) {
            this.terminalForwarder = List.copyOf(launch);
            return this;
        }

        /** {@code AGENTWIRE_HOME}; default {@code ~/.agentwire}. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** A YAML file read before the environment and the {@link #set} values. */
        public Builder configFile(Path file) {
            this.configFile = Optional.of(file);
            return this;
        }

        /** Environment variables to read ({@code AGENTWIRE_*}, {@code BTCP_*}); none by default. */
        public Builder environment(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        /** Sets a configuration key, e.g. {@code set("clientPort", "0")}. */
        public Builder set(String key, String value) {
            loader.set(key, value, "builder");
            return this;
        }

        /** Sets a configuration key from a named source (for error messages), e.g. a CLI flag. */
        public Builder set(String key, String value, String source) {
            loader.set(key, value, source);
            return this;
        }

        public Builder ticker(Ticker ticker) {
            this.ticker = ticker;
            return this;
        }

        /** Forces a Netty transport (default: the best this platform has). */
        public Builder transport(NettyTransport transport) {
            this.transport = transport;
            return this;
        }

        /** Uses an already loaded configuration; the other configuration methods are then ignored. */
        public Builder config(HubConfig config) {
            this.config = config;
            return this;
        }

        /**
         * Builds the hub (not started).
         *
         * @throws dev.agentwire.server.config.ConfigException naming the key and value that are wrong
         */
        public AgentwireHub build() {
            HubConfig c = config;
            if (c == null) {
                Path h = home != null ? home : HubHome.locate(env);
                c = ConfigLoader.standard(h, configFile, env).merge(loader).load(h);
            }
            AgentwireHub hub = new AgentwireHub(c, ticker, transport != null ? transport : NettyTransport.detect());
            hub.terminalForwarder = terminalForwarder;
            return hub;
        }
    }
}
