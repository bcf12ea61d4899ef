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

    private final String display;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> commands;
    private final RedisClusterAsyncCommands<String, String> async;
    private final RedisClusterCommands<String, String> sync;

    private RedisLink(
            String display,
            AbstractRedisClient client,
            StatefulConnection<String, String> commands,
            RedisClusterAsyncCommands<String, String> async,
            RedisClusterCommands<String, String> sync) {
        this.display = display;
        this.client = client;
        this.commands = commands;
        this.async = async;
        this.sync = sync;
    }

    /**
     * Connects to the Redis {@code uri} names and checks that it answers as Redis does.
     *
     * @throws IllegalArgumentException if {@code uri} is not one of the forms {@code cluster.redis} takes
     * @throws IllegalStateException if Redis cannot be reached or does not answer as Redis, naming the URI
     */
    public static RedisLink connect(String uri, Duration timeout) {
        String display = uri.replaceAll("//[^@/]*@", "//***@");
        AbstractRedisClient client = null;
        try {
            ClientOptions.DisconnectedBehavior reject = ClientOptions.DisconnectedBehavior.REJECT_COMMANDS;
            TimeoutOptions timeouts = TimeoutOptions.builder()
                    .timeoutSource(new BlockingAware(timeout))
                    .build();
            RedisLink link;
            if (uri.startsWith("redis-cluster://")) {
                RedisClusterClient c = RedisClusterClient.create(clusterNodes(uri, timeout));
                client = c;
                // A cluster connects to each node when it is first used: rejecting commands while disconnected would
                // refuse those first ones. They wait instead, within the timeout and a bounded queue.
                c.setOptions(ClusterClientOptions.builder()
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                        .requestQueueSize(65_536)
                        .timeoutOptions(timeouts)
                        .build());
                var conn = c.connect(StringCodec.UTF8);
                link = new RedisLink(display, c, conn, conn.async(), conn.sync());
            } else {
                RedisClient c = RedisClient.create(single(uri, timeout));
                client = c;
                c.setOptions(ClientOptions.builder()
                        .disconnectedBehavior(reject)
                        .requestQueueSize(65_536)
                        .timeoutOptions(timeouts)
                        .build());
                var conn = c.connect(StringCodec.UTF8);
                link = new RedisLink(display, c, conn, conn.async(), conn.sync());
            }
            String pong = link.sync.ping();
            if (!"PONG".equals(pong)) {
                throw new IllegalStateException("answered PING with " + pong);
            }
            RedisScript.loadAll(
                    link, "publish", "room", "trim", "directory", "snapshot", "heartbeat", "seen", "pick", "finish");
            return link;
        } catch (IllegalArgumentException e) {
            shutdown(client);
            throw new IllegalArgumentException("cluster.redis " + display + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            shutdown(client);
            throw new IllegalStateException(
                    "cluster.redis " + display + ": Redis is not reachable or not Redis (" + reason(e) + ")", e);
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
        public java.util.concurrent.TimeUnit getTimeUnit() {
            return java.util.concurrent.TimeUnit.MILLISECONDS;
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
        commands.close();
        shutdown(client);
    }

    private static void shutdown(AbstractRedisClient client) {
        if (client != null) {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
