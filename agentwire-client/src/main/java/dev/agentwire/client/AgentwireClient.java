package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.RpcError;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to an agentwire hub that sends JSON-RPC requests and receives notifications, and reconnects
 * (with {@code hub/hello} and the registered hooks) when the connection drops. It answers the hub's liveness
 * {@code ping} itself, and pings a hub that has been silent for {@link Builder#idlePing} (a frozen hub is then
 * a lost connection, not a hang).
 *
 * <p>Thread safe. Build with {@link #builder()}; {@link Builder#connect()} returns once {@code hub/hello} has
 * answered. Request futures complete on the I/O thread; listeners run on one callback thread.
 */
public final class AgentwireClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentwireClient.class);

    private final Builder config;
    private final NettyTransport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final ExecutorService callbacks;
    private final Scheduler scheduler;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<BiConsumer<String, JsonNode>> notificationListeners = new CopyOnWriteArrayList<>();
    private final List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();
    private final List<Function<AgentwireClient, CompletionStage<?>>> reconnectHooks = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final Map<String, RequestHandler> requestHandlers = new ConcurrentHashMap<>();
    private final Map<String, RequestContext> serving = new ConcurrentHashMap<>();
    private final ExecutorService handlers;
    private volatile Tools tools;
    private volatile Services services;
    private volatile Rooms rooms;
    private volatile Channel channel;
    private volatile boolean closed;
    private volatile JsonNode hello = Json.mapper().nullNode();
    /** Why the last reconnect attempt failed (for the error when the client gives up). */
    private volatile Throwable lastReconnectError;
    /** Set once the client gave up reconnecting. */
    private volatile ReconnectFailedException failure;

    private AgentwireClient(Builder b) {
        this.config = b;
        this.transport = b.transport != null ? b.transport : NettyTransport.detect();
        this.ownsGroup = b.group == null;
        this.group = ownsGroup ? transport.newGroup(1, "aw-client") : b.group;
        this.callbacks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "aw-client-callbacks");
            t.setDaemon(true);
            return t;
        });
        this.scheduler = b.scheduler != null
                ? b.scheduler
                : (task, delay) -> {
                    ScheduledFuture<?> f = group.next().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                    return () -> f.cancel(false);
                };
        AtomicInteger n = new AtomicInteger();
        this.handlers = b.handlerThreads == 0
                ? null
                : Executors.newFixedThreadPool(b.handlerThreads, r -> {
                    Thread t = new Thread(r, "aw-client-handler-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.notificationListeners.addAll(b.notificationListeners);
        this.connectionListeners.addAll(b.connectionListeners);
        this.notificationListeners.add((method, params) -> {
            if (method.equals("notifications/cancelled")) {
                RequestContext ctx = serving.get(params.path("requestId").asText());
                if (ctx != null) {
                    ctx.cancel();
                }
            }
        });
    }

    /** Rooms: join, publish, recover after a reconnect. */
    public Rooms rooms() {
        Rooms r = rooms;
        if (r == null) {
            synchronized (this) {
                if (rooms == null) {
                    rooms = new Rooms(this);
                }
                r = rooms;
            }
        }
        return r;
    }

    /** Services: serve them and send them requests (through a circuit breaker per service). */
    public Services services() {
        Services v = services;
        if (v == null) {
            synchronized (this) {
                if (services == null) {
                    services = new Services(this, config.breakerFailures, config.breakerOpenFor);
                }
                v = services;
            }
        }
        return v;
    }

    /** Tools: provide them and call them. */
    public Tools tools() {
        Tools t = tools;
        if (t == null) {
            synchronized (this) {
                if (tools == null) {
                    tools = new Tools(this);
                }
                t = tools;
            }
        }
        return t;
    }

    /** Runs {@code task} on the callback thread, after the listeners already queued there. */
    void onCallbackThread(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            task.run(); // the client is closed: nothing is queued any more
        }
    }

    /** Serves requests of {@code method} that the hub sends this client (one handler per method). */
    public void onRequest(String method, RequestHandler handler) {
        if (requestHandlers.putIfAbsent(method, handler) != null) {
            throw new IllegalStateException("a handler for " + method + " is already set");
        }
    }

    /** A builder; by default it finds the local hub through {@code hub.json}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The endpoint this client connects to. */
    public Endpoint endpoint() {
        return config.endpoint;
    }

    /** What the hub answered to {@code hub/hello} on the current connection. */
    public JsonNode hello() {
        return hello;
    }

    /** Whether a connection is up. */
    /**
     * Why the client stopped: set when it gave up reconnecting after {@link Builder#maxReconnectAttempts}
     * attempts ({@link ConnectionEvent#RECONNECT_FAILED}); empty while it is connected or retrying.
     */
    public Optional<ReconnectFailedException> failure() {
        return Optional.ofNullable(failure);
    }

    public boolean isConnected() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    /** Sends a request with the default timeout. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params) {
        return request(method, params, config.requestTimeout);
    }

    /** Sends a request without params. */
    public CompletableFuture<JsonNode> request(String method) {
        return request(method, null, config.requestTimeout);
    }

    /**
     * Sends a request. The future fails with {@link RpcException} for an error answer or a timeout
     * ({@code -32001}), with {@link ConnectionLostException} if the connection drops first.
     */
    public CompletableFuture<JsonNode> request(String method, JsonNode params, Duration timeout) {
        Channel ch = channel;
        ReconnectFailedException gaveUp = failure;
        if (gaveUp != null) {
            return CompletableFuture.failedFuture(gaveUp);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the client is closed"));
        }
        if (ch == null || !ch.isActive()) {
            return CompletableFuture.failedFuture(
                    new ConnectionLostException("not connected to " + config.endpoint + " (reconnecting)"));
        }
        long id = ids.incrementAndGet();
        Pending p = new Pending(method, new CompletableFuture<>());
        pending.put(id, p);
        ScheduledFuture<?> timer =
                ch.eventLoop().schedule(() -> expire(id, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
        p.future.whenComplete((r, e) -> timer.cancel(false));
        write(ch, new Message.Request(Id.of(id), method, params));
        return p.future;
    }

    /** Sends a notification (no answer). */
    public void notify(String method, JsonNode params) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            write(ch, new Message.Notification(method, params));
        }
    }

    /** Listens to every notification the hub sends: {@code (method, params)}. */
    public void addNotificationListener(BiConsumer<String, JsonNode> listener) {
        notificationListeners.add(listener);
    }

    /** Listens to notifications of one method. */
    public void onNotification(String method, java.util.function.Consumer<JsonNode> listener) {
        notificationListeners.add((m, p) -> {
            if (m.equals(method)) {
                listener.accept(p);
            }
        });
    }

    public void addConnectionListener(ConnectionListener listener) {
        connectionListeners.add(listener);
    }

    /**
     * Registers a hook that runs after every reconnect (after {@code hub/hello}, before
     * {@link ConnectionEvent#RECONNECTED}): features restore their state here (rejoin rooms, re-register tools).
     */
    public void onReconnect(Function<AgentwireClient, CompletionStage<?>> hook) {
        reconnectHooks.add(hook);
    }

    /** Requests waiting for an answer. */
    public int pendingRequests() {
        return pending.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        failPending(new ConnectionLostException("the client was closed"));
        fire(ConnectionEvent.CLOSED);
        callbacks.shutdown();
        if (handlers != null) {
            handlers.shutdown();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    // --- connecting ---------------------------------------------------------------------------------------

    private void connectNow() {
        try {
            Channel ch = open().get(config.connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            handshake(ch).get(config.requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            if (cause instanceof RpcException re) {
                throw re;
            }
            if (cause instanceof UntrustedHubException u) {
                throw u;
            }
            throw unavailable(cause);
        } catch (TimeoutException e) {
            close();
            throw unavailable(e);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
        fire(ConnectionEvent.CONNECTED);
    }

    private HubUnavailableException unavailable(Throwable cause) {
        String hint = config.endpoint.isUnix() ? " (start one with: aw hub)" : "";
        return new HubUnavailableException(
                config.endpoint, "no hub at " + config.endpoint + hint + ": " + cause.getMessage(), cause);
    }

    private CompletableFuture<Channel> open() {
        CompletableFuture<Channel> result = new CompletableFuture<>();
        Endpoint ep = config.endpoint;
        SocketAddress address = switch (ep.kind()) {
            case UNIX -> transport.domainAddress(ep.address(), false);
            case ABSTRACT -> transport.domainAddress(ep.address(), true);
            case TCP -> new InetSocketAddress(ep.address(), ep.port());
        };
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(ep.isUnix() ? transport.domainChannel() : transport.tcpChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!config.idlePing.isZero()) {
                            ch.pipeline().addLast(new HubLiveness(config.idlePing, () -> ping(ch)));
                        }
                        ch.pipeline()
                                .addLast(new StreamFrameDecoder(Framing.NDJSON.newDecoder(config.maxMessageBytes)));
                        ch.pipeline().addLast(new ClientHandler(AgentwireClient.this::onMessage, () -> onClosed(ch)));
                        dev.agentwire.netty.SocketDebugLog.forClient()
                                .ifPresent(h -> ch.pipeline().addFirst("socket-debug", h));
                    }
                });
        if (!ep.isUnix()) {
            b.option(ChannelOption.TCP_NODELAY, true);
        }
        ChannelFuture f = b.connect(address);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                dev.agentwire.netty.SocketDebugLog.connectFailed(address, done.cause());
                result.completeExceptionally(done.cause());
                return;
            }
            try {
                if (ep.isUnix()) {
                    // Before a single byte is sent.
                    config.identity.verify(ep, transport.peerCredentials(f.channel()));
                }
            } catch (UntrustedHubException | java.io.IOException e) {
                f.channel().close();
                result.completeExceptionally(e);
                return;
            }
            channel = f.channel();
            result.complete(f.channel());
        });
        return result;
    }

    private CompletableFuture<JsonNode> handshake(Channel ch) {
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("name", config.name);
        params.put("role", config.role);
        config.token.ifPresent(t -> params.put("token", t));
        if (config.session != null) {
            params.put("session", config.session);
        }
        return request("hub/hello", params, config.requestTimeout).thenApply(r -> {
            hello = r;
            return r;
        });
    }

    /** The liveness ping; its answer (any byte) is what counts, so the result is not awaited. */
    private void ping(Channel ch) {
        if (ch == channel) {
            request("hub/ping", null, config.idlePing.multipliedBy(HubLiveness.MAX_UNANSWERED + 1L));
        }
    }

    private void onClosed(Channel ch) {
        if (ch != channel) {
            return;
        }
        String why = ch.attr(HubLiveness.LOST).get();
        failPending(new ConnectionLostException(
                "the connection to " + config.endpoint + " was lost" + (why == null ? "" : ": " + why)));
        if (closed) {
            return;
        }
        fire(ConnectionEvent.DISCONNECTED);
        if (config.reconnect) {
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        int attempt = attempts.incrementAndGet();
        if (config.maxReconnectAttempts > 0 && attempt > config.maxReconnectAttempts) {
            giveUp(attempt - 1);
            return;
        }
        Duration delay = config.backoff.delay(attempt);
        log.info("reconnecting to {} in {} ms (attempt {})", config.endpoint, delay.toMillis(), attempt);
        scheduler.schedule(this::reconnect, delay);
    }

    /** Whether a reconnect failed because the session this client joins is gone ({@code -32007 session_not_found}). */
    private boolean sessionGone(Throwable cause) {
        return config.session != null
                && cause instanceof RpcException r
                && r.code() == ErrorCode.NOT_FOUND.code()
                && "session_not_found".equals(r.reason());
    }

    /** After {@code made} failed attempts: the app is told ({@link ConnectionEvent#RECONNECT_FAILED}), then closed. */
    private void giveUp(int made) {
        Throwable last = lastReconnectError;
        giveUp(new ReconnectFailedException(
                "gave up reconnecting to " + config.endpoint + " after " + made + " attempts (maxReconnectAttempts="
                        + config.maxReconnectAttempts + ")" + (last == null ? "" : "; the last failed with: " + last),
                made,
                last));
    }

    private void giveUp(ReconnectFailedException why) {
        if (closed) {
            return;
        }
        failure = why;
        log.warn(failure.getMessage());
        failPending(failure);
        fire(ConnectionEvent.RECONNECT_FAILED);
        // Closed from the callback thread, after the event: close() waits, and this may be an event loop.
        try {
            callbacks.execute(this::close);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed already
        }
    }

    private void reconnect() {
        if (closed) {
            return;
        }
        open().thenCompose(this::handshake).thenCompose(h -> runHooks()).whenComplete((r, e) -> {
            if (e == null) {
                attempts.set(0);
                lastReconnectError = null;
                fire(ConnectionEvent.RECONNECTED);
            } else if (!closed) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause()
                        : e;
                lastReconnectError = cause;
                if (sessionGone(cause)) {
                    // Trying again cannot bring it back: the app hears it once instead of a -32007 per attempt
                    // (giveUp closes the client, and the connection with it).
                    giveUp(new ReconnectFailedException(
                            "session " + config.session + " no longer exists on " + config.endpoint
                                    + " (it expired or was closed): " + cause.getMessage(),
                            attempts.get(),
                            cause));
                    return;
                }
                if (cause instanceof UntrustedHubException) {
                    log.warn("reconnect: {}", cause.getMessage());
                } else {
                    log.debug("reconnect to {} failed: {}", config.endpoint, e.toString());
                }
                Channel ch = channel;
                if (ch != null && ch.isActive()) {
                    ch.close(); // its close schedules the next attempt
                } else {
                    scheduleReconnect();
                }
            }
        });
    }

    private CompletableFuture<Void> runHooks() {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (Function<AgentwireClient, CompletionStage<?>> hook : reconnectHooks) {
            chain = chain.thenCompose(v -> hook.apply(this).thenApply(x -> (Void) null));
        }
        return chain;
    }

    // --- messages -----------------------------------------------------------------------------------------

    private void onMessage(Message m) {
        if (m instanceof Message.Response r) {
            complete(r.id(), r.result(), null);
        } else if (m instanceof Message.ErrorResponse e) {
            if (e.id() instanceof Id.Null) {
                log.warn("hub: {}", e.error().message());
                return;
            }
            complete(e.id(), null, e.error());
        } else if (m instanceof Message.Notification n) {
            callbacks.execute(() -> {
                for (BiConsumer<String, JsonNode> l : notificationListeners) {
                    try {
                        l.accept(n.method(), n.params());
                    } catch (RuntimeException ex) {
                        log.warn("notification listener failed", ex);
                    }
                }
            });
        } else if (m instanceof Message.Request r) {
            serve(r);
        }
    }

    private void serve(Message.Request r) {
        Channel ch = channel;
        if (r.method().equals("ping")) {
            // MCP's ping (the hub's liveness check): answered here, on the I/O thread, even when every handler
            // thread is busy.
            if (ch != null) {
                write(ch, new Message.Response(r.id(), Json.mapper().createObjectNode()));
            }
            return;
        }
        RequestHandler handler = requestHandlers.get(r.method());
        if (handler == null) {
            if (ch != null) {
                write(
                        ch,
                        new Message.ErrorResponse(
                                r.id(),
                                RpcError.of(
                                        ErrorCode.METHOD_NOT_FOUND,
                                        "this client does not serve " + r.method(),
                                        "method_not_found")));
            }
            return;
        }
        String key = r.id() instanceof Id.Str s ? s.value() : r.id().toString();
        RequestContext ctx = new RequestContext(r.params(), r.id(), this::notify, this::request);
        serving.put(key, ctx);
        // No handler threads, or a handler that asks for it: it runs here, on the I/O thread (it never blocks).
        java.util.concurrent.Executor run =
                handlers == null || handler.onIoThread(r.params()) ? Runnable::run : handlers;
        run.execute(() -> {
            CompletionStage<JsonNode> stage;
            try {
                stage = handler.handle(r.params(), ctx);
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((result, error) -> {
                serving.remove(key);
                Channel now = channel;
                if (now == null || !now.isActive() || ctx.isCancelled()) {
                    return;
                }
                if (error == null) {
                    write(
                            now,
                            new Message.Response(
                                    r.id(), result == null ? Json.mapper().nullNode() : result));
                } else {
                    Throwable cause =
                            error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                    ? error.getCause()
                                    : error;
                    RpcError e = cause instanceof RpcException re
                            ? re.error()
                            : RpcError.of(
                                    ErrorCode.INTERNAL_ERROR, String.valueOf(cause.getMessage()), "handler_failed");
                    write(now, new Message.ErrorResponse(r.id(), e));
                }
            });
        });
    }

    private void complete(Id id, JsonNode result, RpcError error) {
        if (!(id instanceof Id.Num n)) {
            return;
        }
        Pending p = pending.remove(n.value());
        if (p == null) {
            return;
        }
        if (error == null) {
            p.future.complete(result);
        } else {
            p.future.completeExceptionally(new RpcException(error));
        }
    }

    private void expire(long id, Duration timeout) {
        Pending p = pending.remove(id);
        if (p != null) {
            var data = Json.mapper().createObjectNode();
            data.put("reason", "timeout");
            data.put("timeoutMs", timeout.toMillis());
            p.future.completeExceptionally(new RpcException(RpcError.of(
                    ErrorCode.TIMEOUT,
                    "request " + p.method + " timed out after " + timeout.toMillis() + " ms (pending=" + pending.size()
                            + ", hub=" + config.endpoint + ")",
                    data)));
        }
    }

    private void failPending(RuntimeException cause) {
        for (Long id : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.future.completeExceptionally(cause);
            }
        }
    }

    private void fire(ConnectionEvent event) {
        if (callbacks.isShutdown()) {
            return;
        }
        callbacks.execute(() -> {
            for (ConnectionListener l : connectionListeners) {
                try {
                    l.onEvent(event, this);
                } catch (RuntimeException e) {
                    log.warn("connection listener failed", e);
                }
            }
        });
    }

    private static void write(Channel ch, Message m) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(FrameEncoding.line(MessageCodec.encode(m))), ch.voidPromise());
    }

    private record Pending(String method, CompletableFuture<JsonNode> future) {}

    /** Builds and connects a client. */
    public static final class Builder {
        private Endpoint endpoint;
        private Optional<String> token = Optional.empty();
        private String name = "java-client";
        private String role = "agent";
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration idlePing = Duration.ofSeconds(30);
        private boolean reconnect = true;
        private int maxReconnectAttempts;
        private BackoffPolicy backoff = BackoffPolicy.exponential();
        private Scheduler scheduler;
        private NettyTransport transport;
        private EventLoopGroup group;
        private int maxMessageBytes = Framing.DEFAULT_MAX_BYTES;
        private int handlerThreads = 4;
        private int breakerFailures = 5;
        private Duration breakerOpenFor = Duration.ofSeconds(60);
        private String session;
        private Map<String, String> env = System.getenv();
        private HubIdentity identity = HubIdentity.ofThisProcess();
        private final List<BiConsumer<String, JsonNode>> notificationListeners = new CopyOnWriteArrayList<>();
        private final List<ConnectionListener> connectionListeners = new CopyOnWriteArrayList<>();

        private Builder() {}

        /** {@code unix:/path}, {@code unix:@name} or {@code tcp://host:port}. Default: the local hub. */
        public Builder endpoint(String endpoint) {
            this.endpoint = Endpoint.parse(endpoint);
            return this;
        }

        public Builder endpoint(Endpoint endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** The token for TCP; by default read from {@code AGENTWIRE_HOME/token} for TCP endpoints. */
        public Builder token(String token) {
            this.token = Optional.of(token);
            return this;
        }

        /** The name the hub shows for this client. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder role(String role) {
            this.role = role;
            return this;
        }

        /** Default per-request timeout (30 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Liveness: after this long without a byte from the hub the client sends {@code hub/ping}, and after two
         * pings with nothing back it treats the connection as lost (closes it, and reconnects if enabled). Default
         * 30 s, like the hub's {@code limits.idlePingSeconds}; {@link Duration#ZERO} turns it off.
         */
        public Builder idlePing(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("idlePing must be zero (off) or positive: " + interval);
            }
            this.idlePing = interval;
            return this;
        }

        /** Whether to reconnect after a loss (default true). */
        public Builder reconnect(boolean reconnect) {
            this.reconnect = reconnect;
            return this;
        }

        /**
         * Gives up after {@code attempts} failed reconnect attempts in a row (the ElizaOS seed's 5): the client then
         * fires {@link ConnectionEvent#RECONNECT_FAILED}, holds a {@link ReconnectFailedException} in
         * {@link AgentwireClient#failure()} and closes. Unset (the default), it retries forever.
         */
        public Builder maxReconnectAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxReconnectAttempts must be 1 or more (leave it unset to retry"
                        + " forever), got " + attempts);
            }
            this.maxReconnectAttempts = attempts;
            return this;
        }

        public Builder backoff(BackoffPolicy backoff) {
            this.backoff = backoff;
            return this;
        }

        /** Where reconnect attempts are scheduled (default: the client's event loop). */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public Builder transport(NettyTransport transport) {
            this.transport = transport;
            return this;
        }

        /** Shares an event loop group (the pool does); the client will not shut it down. */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        /**
         * Threads that run request, tool and service handlers (default 4). 0 runs them on the connection's I/O
         * thread: the fastest path for handlers that answer at once and never block (a blocking one would stall
         * every message of the connection).
         */
        public Builder handlerThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException(
                        "handlerThreads must be 0 (run on the I/O thread) or more: " + threads);
            }
            this.handlerThreads = threads;
            return this;
        }

        /**
         * The circuit breaker of every service this client calls: open after {@code failures} failures in a row,
         * for {@code openFor} (default: the orchestrator seed's 5 failures and 60 s).
         */
        public Builder circuitBreaker(int failures, Duration openFor) {
            if (failures < 1 || openFor.isNegative() || openFor.isZero()) {
                throw new IllegalArgumentException(
                        "circuitBreaker needs failures >= 1 and a positive duration, got " + failures + ", " + openFor);
            }
            this.breakerFailures = failures;
            this.breakerOpenFor = openFor;
            return this;
        }

        /** Joins this session in {@code hub/hello} (and again after every reconnect). */
        public Builder session(String sessionId) {
            this.session = sessionId;
            return this;
        }

        /** The environment used to find the hub ({@code AGENTWIRE_HOME}); default the process's. */
        public Builder environment(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        public Builder onNotification(BiConsumer<String, JsonNode> listener) {
            notificationListeners.add(listener);
            return this;
        }

        public Builder onConnectionEvent(ConnectionListener listener) {
            connectionListeners.add(listener);
            return this;
        }

        /**
         * Connects and says {@code hub/hello}. On a Unix socket the listener's peer credentials are checked
         * first: it must run as this user or root, else nothing is sent.
         *
         * @throws HubUnavailableException when nothing answers at the endpoint
         * @throws UntrustedHubException when another user serves the Unix socket
         * @throws RpcException when the hub refuses (bad token)
         */
        public AgentwireClient connect() {
            Path home = Endpoint.home(env);
            if (endpoint == null) {
                endpoint = Endpoint.discover(home);
            }
            if (endpoint.kind() == Endpoint.Kind.TCP && token.isEmpty()) {
                token = readToken(home);
            }
            AgentwireClient client = new AgentwireClient(this);
            client.connectNow();
            return client;
        }

        /**
         * Connects a {@link BlockingClient}: requests are written and answered on the caller's thread, for
         * callers that wait for each answer anyway. The same endpoint, identity check, {@code hub/hello} and
         * timeouts as {@link #connect()}; no reconnection, handler threads or tools to provide.
         *
         * @throws HubUnavailableException when nothing answers at the endpoint
         * @throws UntrustedHubException when another user serves the Unix socket
         * @throws RpcException when the hub refuses (bad token)
         */
        public BlockingClient connectBlocking() {
            Path home = Endpoint.home(env);
            if (endpoint == null) {
                endpoint = Endpoint.discover(home);
            }
            if (endpoint.kind() == Endpoint.Kind.TCP && token.isEmpty()) {
                token = readToken(home);
            }
            return BlockingClient.connect(new BlockingClient.Settings(
                    endpoint,
                    name,
                    role,
                    token,
                    session,
                    requestTimeout,
                    connectTimeout,
                    maxMessageBytes,
                    identity,
                    List.copyOf(notificationListeners)));
        }

        private static Optional<String> readToken(Path home) {
            try {
                return Optional.of(Files.readString(home.resolve("token"), StandardCharsets.UTF_8)
                        .trim());
            } catch (java.io.IOException e) {
                return Optional.empty();
            }
        }
    }
}
