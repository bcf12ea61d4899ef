package dev.agentwire.server.cluster;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The hub's connections to Redis: one for commands (shared, pipelined) and a pub/sub connection for whoever asks.
 * A single server, Sentinel or Redis Cluster, from the {@code cluster.redis} URI. Set to fail fast while
 * disconnected: commands are rejected at once rather than queued, and each has a timeout. Thread safe.
 */
public final class RedisLink implements AutoCloseable {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RedisLink.class);
    private static final String[] SCRIPTS = {
        "publish", "room", "trim", "directory", "snapshot", "heartbeat", "seen", "pick", "finish"
    };

    /**
     * How long Lettuce waits between attempts to reconnect: from 50 ms, doubling, at most a second. Its default
     * grows to 30 s, so a hub whose first attempts failed could stay cut off from a Redis that was back long before.
     */
    private static final io.lettuce.core.resource.Delay RECONNECT = io.lettuce.core.resource.Delay.equalJitter(
            Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS);

    private final String display;
    private final AbstractRedisClient client;
    private final io.lettuce.core.resource.ClientResources resources;
    private volatile StatefulConnection<String, String> commands;
    private volatile RedisClusterAsyncCommands<String, String> async;
    private volatile RedisClusterCommands<String, String> sync;

    private RedisLink(String display, AbstractRedisClient client, io.lettuce.core.resource.ClientResources resources) {
        this.display = display;
        this.client = client;
        this.resources = resources;
        this.async = down(RedisClusterAsyncCommands.class, display);
        this.sync = down(RedisClusterCommands.class, display);
    }

    /**
     * Connects to the Redis {@code uri} names and checks that it answers as Redis does.
     *
     * @throws IllegalArgumentException if {@code uri} is not one of the forms {@code cluster.redis} takes
     * @throws IllegalStateException if Redis cannot be reached or does not answer as Redis, naming the URI
     */
    public static RedisLink connect(String uri, Duration timeout) {
        RedisLink link = unconnected(uri, timeout);
        try {
            link.open();
            return link;
        } catch (RuntimeException e) {
            link.shutdownAll();
            throw new IllegalStateException(
                    "cluster.redis " + link.display + ": Redis is not reachable or not Redis (" + reason(e) + ")", e);
        }
    }

    /**
     * A link to {@code uri} that connects now if it can, else later ({@link #ensureConnected}): until then every
     * command fails at once as while disconnected ({@code cluster.required: false}).
     *
     * @throws IllegalArgumentException if {@code uri} is not one of the forms {@code cluster.redis} takes
     */
    public static RedisLink connectWhenReachable(String uri, Duration timeout) {
        RedisLink link = unconnected(uri, timeout);
        if (!link.ensureConnected()) {
            log.warn("cluster.redis {}: not reachable at start; the hub starts alone and joins when it is", link);
        }
        return link;
    }

    private static RedisLink unconnected(String uri, Duration timeout) {
        String display = uri.replaceAll("//[^@/]*@", "//***@");
        io.lettuce.core.resource.ClientResources resources = null;
        try {
            ClientOptions.DisconnectedBehavior reject = ClientOptions.DisconnectedBehavior.REJECT_COMMANDS;
            TimeoutOptions timeouts = TimeoutOptions.builder()
                    .timeoutSource(new BlockingAware(timeout))
                    .build();
            List<RedisURI> nodes = uri.startsWith("redis-cluster://") ? clusterNodes(uri, timeout) : null;
            RedisURI one = nodes == null ? single(uri, timeout) : null;
            resources = io.lettuce.core.resource.DefaultClientResources.builder()
                    .reconnectDelay(RECONNECT)
                    .build();
            if (nodes != null) {
                RedisClusterClient c = RedisClusterClient.create(resources, nodes);
                // A cluster connects to each node when it is first used: rejecting commands while disconnected would
                // refuse those first ones. They wait instead, within the timeout and a bounded queue.
                c.setOptions(ClusterClientOptions.builder()
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                        .requestQueueSize(65_536)
                        .timeoutOptions(timeouts)
                        .build());
                return new RedisLink(display, c, resources);
            }
            RedisClient c = RedisClient.create(resources, one);
            c.setOptions(ClientOptions.builder()
                    .disconnectedBehavior(reject)
                    .requestQueueSize(65_536)
                    .timeoutOptions(timeouts)
                    .build());
            return new RedisLink(display, c, resources);
        } catch (IllegalArgumentException e) {
            if (resources != null) {
                resources.shutdown(0, 2, TimeUnit.SECONDS);
            }
            throw new IllegalArgumentException("cluster.redis " + display + ": " + e.getMessage(), e);
        }
    }

    /** Whether the command connection is open (Lettuce reconnects it on its own after that). */
    public boolean connected() {
        return commands != null;
    }

    /**
     * Opens the command connection if it is not open yet (a link made while Redis was unreachable); whether it is
     * open now. Never throws.
     */
    public synchronized boolean ensureConnected() {
        if (commands != null) {
            return true;
        }
        try {
            open();
            log.info("cluster.redis {}: connected", display);
            return true;
        } catch (RuntimeException e) {
            log.debug("cluster.redis {}: not reachable yet ({})", display, reason(e));
            return false;
        }
    }

    /** Connects the command connection, checks it answers as Redis, loads the scripts; then the link uses it. */
    private synchronized void open() {
        StatefulConnection<String, String> conn;
        RedisClusterAsyncCommands<String, String> a;
        RedisClusterCommands<String, String> y;
        if (client instanceof RedisClusterClient c) {
            var cc = c.connect(StringCodec.UTF8);
            conn = cc;
            a = cc.async();
            y = cc.sync();
        } else {
            var sc = ((RedisClient) client).connect(StringCodec.UTF8);
            conn = sc;
            a = sc.async();
            y = sc.sync();
        }
        try {
            String pong = y.ping();
            if (!"PONG".equals(pong)) {
                throw new IllegalStateException("answered PING with " + pong);
            }
            for (String name : SCRIPTS) {
                RedisScript.load(y, name);
            }
        } catch (RuntimeException e) {
            conn.closeAsync();
            throw e;
        }
        async = a;
        sync = y;
        commands = conn;
    }

    /** Commands that fail at once, as Lettuce's do while disconnected: a link that has not connected yet. */
    @SuppressWarnings("unchecked")
    private static <T> T down(Class<?> type, String display) {
        return (T) java.lang.reflect.Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "toString" -> "unconnected " + display;
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> throw new UnsupportedOperationException(method.getName());
                        };
                    }
                    var e = new io.lettuce.core.RedisConnectionException(
                            "Redis " + display + " is not connected yet: commands are rejected");
                    if (io.lettuce.core.RedisFuture.class.isAssignableFrom(method.getReturnType())) {
                        Failed<Object> f = new Failed<>();
                        f.completeExceptionally(e);
                        return f;
                    }
                    throw e;
                });
    }

    /** A command's future that failed before it was sent. */
    private static final class Failed<V> extends java.util.concurrent.CompletableFuture<V>
            implements io.lettuce.core.RedisFuture<V> {
        @Override
        public String getError() {
            return "not connected";
        }

        @Override
        public boolean await(long timeout, TimeUnit unit) {
            return true;
        }
    }

    /**
     * Every command's timeout is {@code cluster.timeoutMs}, but a blocking pop's: it waits up to its own block time
     * (a second, in this hub) before Redis answers, so it gets that much more.
     */
    private static final class BlockingAware extends TimeoutOptions.TimeoutSource {
        private static final long BLOCK_MS = 5_000;
        private final long millis;

        BlockingAware(Duration timeout) {
            this.millis = timeout.toMillis();
        }

        @Override
        public long getTimeout(io.lettuce.core.protocol.RedisCommand<?, ?, ?> command) {
            var type = command.getType();
            return type == io.lettuce.core.protocol.CommandType.BRPOP
                            || type == io.lettuce.core.protocol.CommandType.BLPOP
                    ? millis + BLOCK_MS
                    : millis;
        }

        @Override
        public TimeUnit getTimeUnit() {
            return TimeUnit.MILLISECONDS;
        }
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        String text = String.valueOf(e.getMessage());
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                text = text + ": " + t.getMessage();
            }
        }
        return text;
    }

    /** {@code redis://}, {@code rediss://}, or {@code redis-sentinel://host:port[,host:port]/master}. */
    static RedisURI single(String uri, Duration timeout) {
        RedisURI r;
        if (uri.startsWith("redis-sentinel://") && !uri.contains("#")) {
            String rest = uri.substring("redis-sentinel://".length());
            int slash = rest.indexOf('/');
            if (slash < 0 || slash == rest.length() - 1) {
                throw new IllegalArgumentException(
                        "a Sentinel URI names its master: redis-sentinel://host:26379/mymaster");
            }
            String master = rest.substring(slash + 1);
            RedisURI.Builder b = null;
            for (String[] hp : hostsAndPorts(rest.substring(0, slash), 26379)) {
                b = b == null
                        ? RedisURI.Builder.sentinel(hp[0], Integer.parseInt(hp[1]), master)
                        : b.withSentinel(hp[0], Integer.parseInt(hp[1]));
            }
            r = b.build();
        } else if (uri.startsWith("redis://") || uri.startsWith("rediss://") || uri.startsWith("redis-sentinel://")) {
            r = RedisURI.create(uri);
        } else {
            throw new IllegalArgumentException("expected redis://host:port, rediss://host:port,"
                    + " redis-sentinel://host:port/master or redis-cluster://host:port,host:port");
        }
        r.setTimeout(timeout);
        return r;
    }

    static List<RedisURI> clusterNodes(String uri, Duration timeout) {
        List<RedisURI> nodes = new ArrayList<>();
        for (String[] hp : hostsAndPorts(uri.substring("redis-cluster://".length()), 6379)) {
            RedisURI r = RedisURI.create(hp[0], Integer.parseInt(hp[1]));
            r.setTimeout(timeout);
            nodes.add(r);
        }
        return nodes;
    }

    private static List<String[]> hostsAndPorts(String list, int defaultPort) {
        List<String[]> out = new ArrayList<>();
        for (String hp : list.split(",")) {
            String h = hp.strip();
            if (h.isEmpty()) {
                throw new IllegalArgumentException("an empty host in \"" + list + "\"");
            }
            int colon = h.lastIndexOf(':');
            String host = colon < 0 ? h : h.substring(0, colon);
            String port = colon < 0 ? Integer.toString(defaultPort) : h.substring(colon + 1);
            try {
                int p = Integer.parseInt(port);
                if (p < 1 || p > 65535 || host.isEmpty()) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + h + "\" is not host:port");
            }
            out.add(new String[] {host, port});
        }
        return out;
    }

    /**
     * Whether this is a Redis Cluster: there a {@code PUBLISH} counts only the subscribers of the node that took it
     * (the others hear it over the cluster bus), so its count says nothing about who listens.
     */
    public boolean isCluster() {
        return client instanceof RedisClusterClient;
    }

    /** Pipelined commands (the hub's one command connection). */
    public RedisClusterAsyncCommands<String, String> async() {
        return async;
    }

    /** Blocking commands on the same connection, each within the timeout. */
    public RedisClusterCommands<String, String> sync() {
        return sync;
    }

    /** A connection of its own for blocking reads ({@code BRPOP}): its commands, and closing it. */
    public record Blocking(StatefulConnection<String, String> connection, RedisClusterCommands<String, String> sync)
            implements AutoCloseable {
        @Override
        public void close() {
            connection.close();
        }
    }

    /** A new connection for blocking reads, so that they hold up nothing else; the caller closes it. */
    public Blocking newBlocking() {
        if (client instanceof RedisClusterClient c) {
            var conn = c.connect(StringCodec.UTF8);
            return new Blocking(conn, conn.sync());
        }
        var conn = ((RedisClient) client).connect(StringCodec.UTF8);
        return new Blocking(conn, conn.sync());
    }

    /**
     * Waits for a command's reply within twice {@code timeout}; a failure or a timeout becomes an
     * {@link IllegalStateException} naming this Redis.
     */
    public <T> T await(java.util.concurrent.CompletableFuture<T> f, Duration timeout) {
        try {
            return f.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for Redis " + display, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(
                    "Redis " + display + ": " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "Redis " + display + " did not answer within " + timeout.toMillis() * 2 + " ms (cluster.timeoutMs)",
                    e);
        }
    }

    /** A new pub/sub connection; the caller closes it. */
    public StatefulRedisPubSubConnection<String, String> newPubSub() {
        if (client instanceof RedisClusterClient c) {
            return c.connectPubSub(StringCodec.UTF8);
        }
        return ((RedisClient) client).connectPubSub(StringCodec.UTF8);
    }

    /** The URI, without a password. */
    @Override
    public String toString() {
        return display;
    }

    @Override
    public void close() {
        if (commands != null) {
            commands.close();
        }
        shutdownAll();
    }

    /** The client, then the resources it was given (the client leaves those to whoever made them). */
    private void shutdownAll() {
        shutdown(client);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static void shutdown(AbstractRedisClient client) {
        if (client != null) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
