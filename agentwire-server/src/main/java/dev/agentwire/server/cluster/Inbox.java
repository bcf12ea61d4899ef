package dev.agentwire.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Outbound;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.relay.Caller;
import dev.agentwire.core.relay.RelayEndpoint;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This hub's inbox on Redis pub/sub ({@code agentwire:hub:ID:inbox}), and the calls it relays to and from the other
 * hubs' inboxes (docs/CLUSTER.md, "Calls across hubs"). A call to a provider on hub C goes to C's inbox; C
 * acknowledges it at once and hands it to the feature's {@link RelayEndpoint} as a call of its own, whose progress
 * and result come back to this inbox. No acknowledgement within {@code ack} (or nobody subscribed to C's inbox)
 * fails the call with {@code -32002}: it was never run. C stopping its heartbeat fails the calls waiting on it with
 * {@code -32003} ({@link #hubDied}). Messages are JSON: {@code {t: call|ack|result|progress|cancel|notify, ...}}.
 * Handled as they come, on the inbox connection's thread: nothing done with them blocks. Thread safe.
 */
public final class Inbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Inbox.class);

    private final RedisLink redis;
    private final String hub;
    private final Duration ack;
    private final LongFunction<Optional<Connection>> connections;
    private final Map<String, RelayEndpoint> endpoints = new ConcurrentHashMap<>();
    /** From a random base: a hub restarted under the same id must not take a late answer meant for the last one. */
    private final AtomicLong ids = new AtomicLong(new java.security.SecureRandom().nextInt() & 0x7fffffffL);
    /** Calls made here, waiting on another hub: by the id they went out under. */
    private final Map<Long, Waiting> waiting = new ConcurrentHashMap<>();
    /** A negative connection number for each other hub's callers, as the features' relays key calls by caller. */
    private final Map<String, Long> callerIds = new ConcurrentHashMap<>();

    private final AtomicLong nextCallerId = new AtomicLong();
    private StatefulRedisPubSubConnection<String, String> pubsub;
    private ScheduledExecutorService timers;

    private record Waiting(
            RemoteProvider provider, CompletableFuture<PeerRequests.Reply> reply, ScheduledFuture<?>[] ackTimer) {}

    /** @param connections this hub's open connections by number */
    public Inbox(RedisLink redis, String hub, Duration ack, LongFunction<Optional<Connection>> connections) {
        this.redis = redis;
        this.hub = hub;
        this.ack = ack;
        this.connections = connections;
    }

    /** Calls of kind {@code kind} ({@code tools}) from other hubs go to {@code endpoint}. */
    public Inbox serve(String kind, RelayEndpoint endpoint) {
        endpoints.put(kind, endpoint);
        return this;
    }

    /** What this hub itself answers for other hubs (not one of its connections): a method and its params. */
    @FunctionalInterface
    public interface HubCalls {
        /** Answers {@code method} with {@code params} for hub {@code from}: its result, or fails as a call would. */
        CompletableFuture<JsonNode> call(String from, String method, JsonNode params, long timeoutMs);
    }

    private final Map<String, HubCalls> hubCalls = new ConcurrentHashMap<>();

    /** Calls of kind {@code kind} addressed to this hub itself go to {@code calls}. */
    public Inbox serveHub(String kind, HubCalls calls) {
        hubCalls.put(kind, calls);
        return this;
    }

    /**
     * Calls hub {@code other} itself ({@link #serveHub} there), acknowledged as any call: its result, or a failure
     * as the far hub answered ({@code -32002} if it did not acknowledge, {@code -32003} if it died meanwhile).
     */
    public CompletableFuture<JsonNode> callHub(
            String other, String kind, String method, JsonNode params, long timeoutMs) {
        RemoteProvider to = link(other, dev.agentwire.core.relay.Directory.Owner.HUB, kind);
        PeerRequests.Outgoing request = reserve(to);
        ScheduledFuture<?> deadline = timers.schedule(
                () -> fail(
                        request.id(),
                        ErrorCode.TIMEOUT,
                        "timeout",
                        method + " on hub " + other + " did not answer within " + timeoutMs + " ms"),
                timeoutMs,
                TimeUnit.MILLISECONDS);
        send(to, request, method, params, timeoutMs);
        return request.reply().whenComplete((r, e) -> deadline.cancel(false)).thenApply(reply -> {
            if (reply.message() instanceof Message.Response r) {
                return r.result();
            }
            throw HubException.relayed(((Message.ErrorResponse) reply.message()).error());
        });
    }

    static String channel(String hub) {
        return "agentwire:hub:" + hub + ":inbox";
    }

    /** Starts the calls' timers, then subscribes to this hub's inbox. */
    public Inbox start() {
        startTimers();
        return subscribe();
    }

    /** Starts the calls' timers ({@code aw-inbox-timer}): calls made here fail in time from now on. */
    public synchronized Inbox startTimers() {
        if (timers == null) {
            timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "aw-inbox-timer"));
        }
        return this;
    }

    /** Subscribes to this hub's inbox: other hubs' calls and answers reach it from now on. */
    public synchronized Inbox subscribe() {
        pubsub = redis.newPubSub();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                received(message);
            }
        });
        try {
            pubsub.sync().subscribe(channel(hub));
        } catch (RuntimeException e) {
            pubsub.closeAsync(); // nothing left half open: the next try subscribes once
            pubsub = null;
            throw e;
        }
        return this;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The way to connection {@code connection} of hub {@code other}, for the feature {@code kind}. */
    public RemoteProvider link(String other, long connection, String kind) {
        return new RemoteProvider(this, other, connection, kind);
    }

    // --- calls made here --------------------------------------------------------------------------------------

    PeerRequests.Outgoing reserve(RemoteProvider provider) {
        long id = ids.incrementAndGet();
        CompletableFuture<PeerRequests.Reply> reply = new CompletableFuture<>();
        waiting.put(id, new Waiting(provider, reply, new ScheduledFuture<?>[1]));
        reply.whenComplete((r, e) -> forget(id));
        return new PeerRequests.Outgoing(id, reply);
    }

    private void forget(long id) {
        Waiting w = waiting.remove(id);
        if (w != null && w.ackTimer()[0] != null) {
            w.ackTimer()[0].cancel(false);
        }
    }

    void send(RemoteProvider provider, PeerRequests.Outgoing request, String method, JsonNode params, long timeoutMs) {
        Waiting w = waiting.get(request.id());
        if (w == null) {
            return; // ended already
        }
        ObjectNode m = message("call", request.id());
        m.put("kind", provider.kind());
        m.put("connection", provider.connection());
        m.put("method", method);
        m.set("params", params);
        // The far hub gives up a little after the caller here would: the caller's own timeout decides.
        m.put("timeoutMs", timeoutMs + ack.toMillis());
        synchronized (w) {
            // Armed before the call is sent, so that its acknowledgement always finds the timer to stop.
            w.ackTimer()[0] = timers.schedule(
                    () -> fail(
                            request.id(),
                            ErrorCode.NO_PROVIDER,
                            "no_ack",
                            "hub " + provider.hub() + " did not acknowledge the call within " + ack.toMillis()
                                    + " ms; it was not run"),
                    ack.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        publish(provider.hub(), m).whenComplete((receivers, e) -> {
            if (e != null) {
                fail(
                        request.id(),
                        ErrorCode.NO_PROVIDER,
                        "cluster_unavailable",
                        "the call could not reach hub " + provider.hub() + " through Redis: " + e.getMessage());
            } else if (receivers == 0 && !redis.isCluster()) {
                fail(
                        request.id(),
                        ErrorCode.NO_PROVIDER,
                        "hub_gone",
                        "hub " + provider.hub() + " is not listening; the call was not run");
            }
        });
    }

    void cancel(RemoteProvider provider, long id, String reason) {
        waiting.remove(id);
        ObjectNode m = message("cancel", id);
        m.put("reason", reason);
        publish(provider.hub(), m);
    }

    void notify(RemoteProvider provider, String method, JsonNode params) {
        ObjectNode m = message("notify", 0);
        m.put("connection", provider.connection());
        m.put("method", method);
        m.set("params", params);
        publish(provider.hub(), m);
    }

    private void fail(long id, ErrorCode code, String reason, String text) {
        Waiting w = waiting.get(id);
        if (w != null) {
            w.reply().completeExceptionally(HubException.of(code, reason, text));
        }
    }

    /** Hub {@code dead} stopped beating: the calls waiting on it fail with {@code -32003}, its callers' calls end. */
    public void hubDied(String dead) {
        for (var e : waiting.entrySet()) {
            if (e.getValue().provider().hub().equals(dead)) {
                e.getValue()
                        .reply()
                        .completeExceptionally(HubException.of(
                                ErrorCode.PROVIDER_GONE,
                                "hub_gone",
                                "hub " + dead + " of the provider stopped (no heartbeat)"));
            }
        }
        Long caller = callerIds.get(dead);
        if (caller != null) {
            endpoints.values().forEach(ep -> ep.callerGone(caller));
        }
    }

    // --- what comes in ---------------------------------------------------------------------------------------

    /**
     * On Redis's thread, in the order the inbox heard them: read, acknowledge a call at once, and handle it. Nothing
     * here blocks: a call is handed to the feature's relay, which only writes to the provider's connection; answers
     * complete futures; everything sent goes out asynchronously.
     */
    private void received(String text) {
        JsonNode m;
        try {
            m = Json.mapper().readTree(text);
        } catch (IOException e) {
            log.warn("inbox: a message that is not JSON; dropped");
            return;
        }
        String type = m.path("t").asText();
        if (type.equals("ack")) {
            acknowledged(m.path("id").asLong());
            return;
        }
        // A call runs only once its acknowledgement is in Redis: a hub that dies before that never ran it (the
        // caller is told -32002, "not run"), one that dies after was acknowledged (the caller is told -32003).
        // Messages are still handled in the order they came: each waits for the one before.
        CompletableFuture<Boolean> go = type.equals("call")
                ? publish(m.path("from").asText(), message("ack", m.path("id").asLong()))
                        .handle((n, e) -> e == null)
                : CompletableFuture.completedFuture(true);
        int size = text.length();
        synchronized (this) {
            tail = tail.thenCompose(x -> go).thenAccept(ok -> {
                if (!ok) {
                    log.warn("inbox: the acknowledgement of a call could not be sent; the call is not run");
                    return;
                }
                try {
                    switchOn(m, size);
                } catch (RuntimeException e) {
                    log.warn("inbox: a {} message could not be handled: {}", type, e.toString());
                }
            });
        }
    }

    /** The handling of the last message read: the next one waits for it. Guarded by {@code this}. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    private void switchOn(JsonNode m, int size) {
        String t = m.path("t").asText();
        long id = m.path("id").asLong();
        String from = m.path("from").asText();
        Waiting w = waiting.get(id);
        if (w != null && !w.provider().hub().equals(from)) {
            w = null; // an answer to this id from a hub the call did not go to
        }
        switch (t) {
            case "call" -> called(from, id, m);
            case "result" -> {
                if (w != null) {
                    w.reply().complete(RelayEndpoint.unraw(id, m.path("reply"), size));
                }
            }
            case "fail" -> {
                if (w != null) {
                    JsonNode err = m.path("error");
                    w.reply()
                            .completeExceptionally(HubException.relayed(new dev.agentwire.protocol.RpcError(
                                    err.path("code").asInt(),
                                    err.path("message").asText(),
                                    err.get("data"))));
                }
            }
            case "progress" -> {
                if (w != null) {
                    RelayEndpoint ep = endpoints.get(w.provider().kind());
                    if (ep != null) {
                        ep.progress(w.provider(), m.path("params"));
                    }
                }
            }
            case "cancel" -> {
                Long caller = callerIds.get(from);
                if (caller != null) {
                    ObjectNode notice = Json.mapper().createObjectNode();
                    notice.put("requestId", id);
                    notice.put("reason", m.path("reason").asText("cancelled"));
                    endpoints.values().forEach(e -> e.cancelled(caller, notice));
                }
            }
            case "notify" ->
                connections
                        .apply(m.path("connection").asLong())
                        .ifPresent(c -> c.outbound()
                                .send(new Message.Notification(m.path("method").asText(), m.path("params"))));
            default -> log.warn("inbox: an unknown message {}; dropped", t);
        }
    }

    private void acknowledged(long id) {
        Waiting w = waiting.get(id);
        if (w != null) {
            synchronized (w) {
                if (w.ackTimer()[0] != null) {
                    w.ackTimer()[0].cancel(false);
                }
            }
        }
    }

    /** A call from hub {@code from} for one of this hub's connections, or for this hub itself. */
    private void called(String from, long id, JsonNode m) {
        HubCalls itself = m.path("connection").asLong(-1) == dev.agentwire.core.relay.Directory.Owner.HUB
                ? hubCalls.get(m.path("kind").asText())
                : null;
        if (itself != null) {
            CompletableFuture<JsonNode> answer;
            try {
                answer = itself.call(
                        from,
                        m.path("method").asText(),
                        m.path("params"),
                        Math.max(1, Math.min(m.path("timeoutMs").asLong(1), 86_400_000L)));
            } catch (RuntimeException e) {
                reply(from, id, e);
                return;
            }
            answer.whenComplete((result, e) -> {
                if (e != null) {
                    reply(from, id, e);
                } else {
                    ObjectNode r = message("result", id);
                    r.putObject("reply").set("result", result);
                    publish(from, r);
                }
            });
            return;
        }
        RelayEndpoint ep = endpoints.get(m.path("kind").asText());
        Optional<Connection> provider = connections.apply(m.path("connection").asLong());
        if (ep == null || provider.isEmpty() || !provider.get().isOpen()) {
            reply(
                    from,
                    id,
                    HubException.of(
                            ErrorCode.PROVIDER_GONE,
                            "provider_gone",
                            "the provider's connection on hub " + hub + " is gone"));
            return;
        }
        long caller = callerIds.computeIfAbsent(from, h -> -1 - nextCallerId.getAndIncrement());
        Caller remote = new Caller(
                caller,
                new ToHub(from, id),
                Optional.of(Id.of(id)),
                Optional.of(Json.mapper().getNodeFactory().numberNode(id)));
        long timeout = Math.max(1, Math.min(m.path("timeoutMs").asLong(1), 86_400_000L));
        CompletableFuture<JsonNode> answer;
        try {
            answer = ep.relayIn(remote, provider.get(), m.path("params"), timeout);
        } catch (RuntimeException e) {
            reply(from, id, e);
            return;
        }
        answer.whenComplete((raw, e) -> {
            if (e != null) {
                reply(from, id, e);
            } else {
                ObjectNode r = message("result", id);
                r.set("reply", raw);
                publish(from, r);
            }
        });
    }

    private void reply(String to, long id, Throwable e) {
        Throwable cause =
                e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        dev.agentwire.protocol.RpcError error = cause instanceof HubException h
                ? h.toRpcError()
                : dev.agentwire.protocol.RpcError.of(
                        ErrorCode.INTERNAL_ERROR, String.valueOf(cause.getMessage()), "internal");
        ObjectNode r = message("fail", id);
        ObjectNode err = r.putObject("error");
        err.put("code", error.code());
        err.put("message", error.message());
        if (error.data() != null) {
            err.set("data", error.data());
        }
        publish(to, r);
    }

    /** Where a relayed-in call's progress goes: the calling hub's inbox. */
    private final class ToHub implements Outbound {
        private final String to;
        private final long id;

        ToHub(String to, long id) {
            this.to = to;
            this.id = id;
        }

        @Override
        public void send(Message message) {
            if (message instanceof Message.Notification n && n.method().equals("notifications/progress")) {
                ObjectNode m = message("progress", id);
                m.set("params", n.params());
                publish(to, m);
            }
        }

        @Override
        public void sendBatch(List<Message> messages) {
            messages.forEach(this::send);
        }

        @Override
        public void sendAndClose(Message message) {
            send(message);
        }

        @Override
        public void close() {
            // The calling hub's inbox stays; nothing to close.
        }

        @Override
        public long pendingBytes() {
            return 0;
        }
    }

    private ObjectNode message(String type, long id) {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("t", type);
        m.put("from", hub);
        m.put("id", id);
        return m;
    }

    private CompletableFuture<Long> publish(String to, ObjectNode message) {
        return redis.async().publish(channel(to), message.toString()).toCompletableFuture();
    }

    @Override
    public void close() {
        if (pubsub != null) {
            pubsub.close();
        }
        if (timers != null) {
            timers.shutdownNow();
        }
    }
}
