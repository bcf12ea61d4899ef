package dev.agentwire.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Outbound;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.terminals.RemoteTerminals;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.Parsed;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Terminals across the hubs of a cluster (docs/CLUSTER.md, "Terminals"). Where each terminal is lives in the
 * {@code terminals} directory (its id, owned by its hub); this hub keeps its own terminals there ({@link #sync}, on
 * each heartbeat and soon after a terminal starts). A call on a terminal of another hub goes to that hub's inbox,
 * where a connection of the hub itself ({@code cluster-terminals}, scope {@code terminals}) makes it as a local
 * caller would; {@code terminals/list} asks every hub that has terminals. Thread safe.
 */
public final class ClusterTerminals implements RemoteTerminals, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterTerminals.class);
    static final String KIND = "terminals";
    /** What other hubs may ask of this one's terminals. */
    private static final Set<String> RELAYED = Set.of(
            "terminals/list",
            "terminals/kill",
            "terminals/resize",
            "terminals/title",
            "terminals/input",
            "terminals/key",
            "terminals/read",
            "terminals/wait");

    private static final long CALL_MS = 30_000;
    private static final long LIST_MS = 5_000;

    /** The directory's entries carry nothing but their place: the terminal's id, owned by its hub. */
    public static final RedisDirectory.Codec<String> CODEC = new RedisDirectory.Codec<>() {
        @Override
        public String encode(String value) {
            return "";
        }

        @Override
        public String decode(Directory.Owner owner, String name, String text) {
            return "";
        }
    };

    private final Inbox inbox;
    private final RedisDirectory<String> directory;
    private final String hub;
    private final Supplier<Set<String>> liveHubs;
    private final Map<String, CompletableFuture<JsonNode>> asked = new ConcurrentHashMap<>();
    private final AtomicLong keys = new AtomicLong();
    private final AtomicBoolean syncQueued = new AtomicBoolean();
    private HubCore core;
    private Connection connection;
    private ExecutorService syncer;

    public ClusterTerminals(Inbox inbox, RedisDirectory<String> directory, String hub, Supplier<Set<String>> liveHubs) {
        this.inbox = inbox;
        this.directory = directory;
        this.hub = hub;
        this.liveHubs = liveHubs;
    }

    /** Opens the connection other hubs' calls are made on, and answers them from now on. */
    public synchronized ClusterTerminals start(HubCore core) {
        this.core = core;
        connection = core.open(
                new Peer(
                        Transport.TCP,
                        "cluster:terminals",
                        OptionalInt.empty(),
                        List.of(),
                        OptionalLong.empty(),
                        Optional.empty()),
                new Answers());
        connection.introduce("cluster-terminals", "hub");
        core.authenticate(connection, new TokenService.Grant("cluster", Set.of("terminals")));
        syncer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "aw-cluster-terminals");
            t.setDaemon(true);
            return t;
        });
        inbox.serveHub(KIND, this::call);
        return this;
    }

    // --- this hub's terminals in the directory ----------------------------------------------------------------

    /** Soon, on {@code aw-cluster-terminals}: the directory gets this hub's terminals as they are now. */
    public void syncSoon() {
        ExecutorService s = syncer;
        if (s != null && syncQueued.compareAndSet(false, true)) {
            s.execute(() -> {
                syncQueued.set(false);
                sync();
            });
        }
    }

    /** The directory gets this hub's terminals as they are now (started ones added, removed ones taken out). */
    public void sync() {
        if (core == null) {
            return;
        }
        try {
            Set<String> here = new HashSet<>();
            core.require(TerminalService.class)
                    .list()
                    .path("terminals")
                    .forEach(t -> here.add(t.path("id").asText()));
            Directory.Owner self = new Directory.Owner(hub, Directory.Owner.HUB);
            Set<String> listed = new HashSet<>();
            for (Directory.Entry<String> e : directory.scan("", "", Integer.MAX_VALUE)) {
                if (e.owner().equals(self)) {
                    listed.add(e.name());
                    if (!here.contains(e.name())) {
                        directory.unregister(e.name(), self);
                    }
                }
            }
            for (String id : here) {
                if (!listed.contains(id)) {
                    directory.register(new Directory.Entry<>(id, self, ""));
                }
            }
        } catch (RuntimeException e) {
            log.warn(
                    "cluster: listing this hub's terminals in Redis failed; the next heartbeat tries again: {}",
                    e.toString());
        }
    }

    // --- this hub's callers, other hubs' terminals ------------------------------------------------------------

    @Override
    public CompletableFuture<ArrayNode> list() {
        Set<String> others = new HashSet<>();
        Set<String> live = liveHubs.get();
        for (Directory.Entry<String> e : directory.scan("", "", Integer.MAX_VALUE)) {
            if (!e.owner().hub().equals(hub) && live.contains(e.owner().hub())) {
                others.add(e.owner().hub());
            }
        }
        List<CompletableFuture<ArrayNode>> asks = new ArrayList<>();
        for (String other : others) {
            asks.add(inbox.callHub(other, KIND, "terminals/list", Json.mapper().createObjectNode(), LIST_MS)
                    .handle((r, e) -> {
                        ArrayNode out = Json.mapper().createArrayNode();
                        if (e != null) {
                            log.info("cluster: hub {} did not list its terminals: {}", other, e.toString());
                            return out;
                        }
                        r.path("terminals").forEach(t -> {
                            if (t instanceof ObjectNode o) {
                                out.add(o.put("hub", other));
                            }
                        });
                        return out;
                    }));
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(x -> {
            ArrayNode all = Json.mapper().createArrayNode();
            asks.forEach(a -> all.addAll(a.join()));
            return all;
        });
    }

    @Override
    public Optional<CompletableFuture<JsonNode>> relay(String id, String method, JsonNode params) {
        Optional<String> there = directory.lookup(id).stream()
                .map(e -> e.owner().hub())
                .filter(h -> !h.equals(hub))
                .findFirst();
        if (there.isEmpty()) {
            return Optional.empty();
        }
        long timeout = CALL_MS;
        if (method.equals("terminals/wait")) {
            // The far hub waits as long as the caller asked; the answer needs a little more.
            timeout = Math.max(1, params.path("timeoutMs").asLong(10_000)) + 5_000;
        }
        return Optional.of(inbox.callHub(there.get(), KIND, method, params, timeout));
    }

    // --- other hubs' callers, this hub's terminals ------------------------------------------------------------

    /** A call from hub {@code from} on this hub's terminals, made on the hub's own connection. */
    CompletableFuture<JsonNode> call(String from, String method, JsonNode params, long timeoutMs) {
        if (!RELAYED.contains(method)) {
            throw HubException.of(
                    ErrorCode.METHOD_NOT_FOUND,
                    "not_relayed",
                    method + " is not one that other hubs make on this hub's terminals");
        }
        TerminalService terminals = core.require(TerminalService.class);
        // Answered from this hub's terminals only, never passed on: a call that came from another hub must not go
        // back out (two hubs with terminals would otherwise ask each other for their lists without end).
        if (method.equals("terminals/list")) {
            return CompletableFuture.completedFuture(terminals.list());
        }
        String id = params.path("id").asText("");
        if (!terminals.has(id)) {
            var data = HubException.reasonData("terminal_not_found");
            data.put("id", id);
            throw HubException.withData(ErrorCode.NOT_FOUND, "no terminal " + id + " on hub " + hub, data);
        }
        String key = "c-" + keys.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        asked.put(key, answer);
        answer.whenComplete((r, e) -> asked.remove(key));
        connection.receive(
                new Parsed.Valid(new Message.Request(Id.of(key), method, params)),
                params.toString().length());
        return answer;
    }

    /** The hub's answers on the connection: they complete the calls other hubs made. */
    private final class Answers implements Outbound {
        @Override
        public void send(Message message) {
            if (message instanceof Message.Response r) {
                CompletableFuture<JsonNode> a = asked.get(key(r.id()));
                if (a != null) {
                    a.complete(r.result());
                }
            } else if (message instanceof Message.ErrorResponse e) {
                CompletableFuture<JsonNode> a = asked.get(key(e.id()));
                if (a != null) {
                    a.completeExceptionally(HubException.relayed(e.error()));
                }
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
            // The hub's own connection: nothing to close but the connection, which the hub does.
        }

        @Override
        public long pendingBytes() {
            return 0;
        }
    }

    private static String key(Id id) {
        return id instanceof Id.Str s ? s.value() : id.toString();
    }

    @Override
    public synchronized void close() {
        if (syncer != null) {
            syncer.shutdownNow();
        }
        if (connection != null) {
            connection.closed();
        }
    }
}
