package dev.agentwire.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.services.ServiceRegistry;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.transport.SocketGuard;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-service sockets {@code AGENTWIRE_HOME/agents/<name>.sock} (orchestrator seed): bound at start for
 * {@code services.sockets}, and on demand through {@code services/socket {name}} (what {@code aw serve} asks
 * for). At most {@code services.maxSockets} are open at once; one opened on demand belongs to the connection that
 * asked and goes when that connection closes (unless another connection asked for it too). Files are 0600 in a
 * 0700 directory and removed when the hub stops. Thread safe.
 */
final class AgentSockets implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentSockets.class);

    private final Path dir;
    private final Supplier<ServerBootstrap> bootstrap;
    private final Function<String, Object> address;
    private final Function<String, ChannelHandler> initializer;
    private final Map<String, Channel> bound = new TreeMap<>();
    /** Who asked for each socket opened on demand; sockets of services.sockets have no entry and stay. */
    private final Map<String, java.util.Set<Connection>> askedBy = new java.util.HashMap<>();

    private final int max;
    /** Runs {@link #ownerGone} off the thread that saw the connection end (often an event loop). */
    private final java.util.concurrent.ExecutorService cleaner =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "aw-agent-sockets");
                t.setDaemon(true);
                return t;
            });

    /**
     * @param bootstrap a server bootstrap for Unix sockets, without a child handler
     * @param address the transport's address for a socket path
     * @param initializer the child handler for service {@code name}
     */
    AgentSockets(
            Path dir,
            Supplier<ServerBootstrap> bootstrap,
            Function<String, Object> address,
            Function<String, ChannelHandler> initializer,
            int max) {
        this.max = max;
        this.dir = dir;
        this.bootstrap = bootstrap;
        this.address = address;
        this.initializer = initializer;
    }

    /** Binds {@code agents/<name>.sock} unless it is bound already; its path. */
    synchronized Path open(String name) {
        ServiceRegistry.checkName(name);
        Path path = dir.resolve(name + ".sock");
        if (bound.containsKey(name)) {
            return path;
        }
        if (bound.size() >= max) {
            var data = HubException.reasonData("too_many_sockets");
            data.put("limit", max);
            throw HubException.withData(
                    ErrorCode.OVERLOADED,
                    "the hub already has " + bound.size() + " service sockets open, the allowed maximum"
                            + " (services.maxSockets = " + max + ")",
                    data);
        }
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw HubException.of(ErrorCode.INTERNAL_ERROR, "io_error", "cannot create " + dir + ": " + e);
        }
        try {
            SocketGuard.checkLength("agent socket path", path.toString());
            SocketGuard.clear(path, true);
        } catch (HubStartException e) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "socket_unavailable", e.getMessage());
        }
        Channel ch;
        try {
            ch = bootstrap
                    .get()
                    .childHandler(initializer.apply(name))
                    .bind((java.net.SocketAddress) address.apply(path.toString()))
                    .syncUninterruptibly()
                    .channel();
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (Exception e) {
            throw HubException.of(
                    ErrorCode.INTERNAL_ERROR, "bind_failed", "cannot bind " + path + ": " + e.getMessage());
        }
        bound.put(name, ch);
        log.info("service socket for {} listening on {}", name, path);
        return path;
    }

    /** The bound sockets by service name. */
    synchronized Map<String, Path> paths() {
        Map<String, Path> out = new TreeMap<>();
        bound.keySet().forEach(n -> out.put(n, dir.resolve(n + ".sock")));
        return out;
    }

    /** {@code services/socket {name}} → {@code {service, path}}. */
    CompletableFuture<JsonNode> socketMethod(Call call) {
        JsonNode name = call.params().path("name");
        if (!name.isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "services/socket needs \"name\" (a string)");
        }
        Path path;
        synchronized (this) {
            boolean existed = bound.containsKey(name.textValue());
            path = open(name.textValue());
            if (!existed || askedBy.containsKey(name.textValue())) {
                askedBy.computeIfAbsent(name.textValue(), n -> new java.util.HashSet<>())
                        .add(call.connection());
            }
            if (!call.connection().isOpen()) {
                ownerGone(call.connection()); // it closed while the socket was being bound
            }
        }
        return CompletableFuture.completedFuture(Json.mapper()
                .createObjectNode()
                .put("service", name.textValue())
                .put("path", path.toString()));
    }

    /** The sockets for {@code hub/status}. */
    ArrayNode describe() {
        ArrayNode arr = Json.mapper().createArrayNode();
        paths().forEach((n, p) -> arr.addObject().put("service", n).put("path", p.toString()));
        return arr;
    }

    /** Tells this that {@code c} closed; the work runs on this object's own thread, never the caller's. */
    void connectionClosed(Connection c) {
        try {
            cleaner.execute(() -> ownerGone(c));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: close() removes every socket anyway
        }
    }

    /** A connection closed: the sockets only it asked for are closed and their files removed. */
    synchronized void ownerGone(Connection c) {
        for (var it = askedBy.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().remove(c) && e.getValue().isEmpty()) {
                it.remove();
                unbind(e.getKey());
            }
        }
    }

    private void unbind(String name) {
        Channel ch = bound.remove(name);
        if (ch != null) {
            // Closed asynchronously: this runs on whichever thread saw the connection end, maybe an event loop.
            ch.close().addListener(f -> {
                try {
                    Files.deleteIfExists(dir.resolve(name + ".sock"));
                } catch (IOException x) {
                    log.warn("cannot remove the socket of {}: {}", name, x.toString());
                }
            });
            log.info("service socket for {} closed: the connection that asked for it is gone", name);
        }
    }

    @Override
    public void close() {
        cleaner.shutdownNow();
        closeAll();
    }

    private synchronized void closeAll() {
        for (var e : bound.entrySet()) {
            e.getValue().close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            try {
                Files.deleteIfExists(dir.resolve(e.getKey() + ".sock"));
            } catch (IOException x) {
                log.warn("cannot remove the socket of {}: {}", e.getKey(), x.toString());
            }
        }
        bound.clear();
        askedBy.clear();
    }
}
