package dev.agentwire.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.Outbound;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.protocol.Envelope;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.Parsed;
import dev.agentwire.server.transport.EnvelopeHandler;
import io.lettuce.core.KeyValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other half of the orchestrator seed's Redis dual mode: a program that speaks only Redis calls any service of
 * the cluster by pushing the seed's request envelope, with {@code reply_to}, onto {@code agentwire:call:SERVICE}; a
 * hub pops it ({@code BRPOP}, thread {@code aw-redis-callers}, on a connection of its own), sends it as a
 * {@code services/request} of its "redis callers" connection (identity {@code redis}, scope {@code services:request}),
 * and pushes the answer envelope onto {@code reply_to}. Every hub pops; each request is taken by one.
 */
public final class RedisCallers implements Outbound, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCallers.class);
    static final String PREFIX = "agentwire:call:";

    private final RedisLink redis;
    private final HubCore core;
    private final AtomicLong keys = new AtomicLong();
    private final Map<String, Asked> asked = new ConcurrentHashMap<>();
    private Connection connection;
    private RedisLink.Blocking blocking;
    private Thread popper;
    private volatile boolean running;

    private record Asked(JsonNode id, String replyTo, long startedNanos) {}

    public RedisCallers(RedisLink redis, HubCore core) {
        this.redis = redis;
        this.core = core;
    }

    /** Opens the callers' connection and starts popping. */
    public synchronized RedisCallers start() {
        blocking = redis.newBlocking(); // first: if Redis is away again, nothing else was opened
        connection = core.open(
                new Peer(
                        Transport.TCP,
                        "redis:" + PREFIX + "*",
                        OptionalInt.empty(),
                        List.of(),
                        OptionalLong.empty(),
                        Optional.empty()),
                this);
        connection.introduce("redis-callers", "caller");
        core.authenticate(connection, new TokenService.Grant("redis", Set.of("services:request")));
        running = true;
        popper = new Thread(this::pop, "aw-redis-callers");
        popper.setDaemon(true);
        popper.start();
        return this;
    }

    private void pop() {
        while (running) {
            try {
                List<String> lists = core.require(ServiceRelay.class).registry().all().stream()
                        .map(s -> PREFIX + s.name())
                        .toList();
                if (lists.isEmpty()) {
                    Thread.sleep(500);
                    continue;
                }
                if (redis.isCluster()) {
                    // Keys of different slots cannot share a BRPOP there: one at a time, briefly.
                    for (String list : lists) {
                        take(blocking.sync().brpop(0.05, list));
                    }
                } else {
                    take(blocking.sync().brpop(1, lists.toArray(String[]::new)));
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("reading Redis callers' requests failed: {}", e.getMessage());
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        }
    }

    private void take(KeyValue<String, String> kv) {
        if (kv == null || !kv.hasValue()) {
            return;
        }
        String service = kv.getKey().substring(PREFIX.length());
        String text = kv.getValue();
        JsonNode raw;
        try {
            raw = Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            raw = null;
        }
        String replyTo = raw != null && raw.path("reply_to").isTextual()
                ? raw.get("reply_to").asText()
                : "";
        Envelope.Inbound in = Envelope.parse(text.getBytes(StandardCharsets.UTF_8));
        if (replyTo.isEmpty()) {
            log.warn(
                    "a request on {} has no reply_to; dropped: {}",
                    kv.getKey(),
                    text.length() > 200 ? text.substring(0, 200) : text);
            return;
        }
        if (!(in instanceof Envelope.Request r)) {
            JsonNode id = in instanceof Envelope.Invalid bad
                    ? bad.id()
                    : Json.mapper().nullNode();
            String why = in instanceof Envelope.Invalid bad ? bad.message() : "expected a request envelope";
            answer(replyTo, Envelope.error(id, "INVALID_ENVELOPE", why, null, Instant.now(), -1));
            return;
        }
        String key = "r-" + keys.incrementAndGet();
        asked.put(key, new Asked(r.id(), replyTo, System.nanoTime()));
        ObjectNode params = Json.mapper().createObjectNode();
        params.put("service", service);
        params.put("action", r.action());
        params.set("data", r.data());
        params.put("interface", r.callerInterface().isEmpty() ? "redis" : r.callerInterface());
        if (raw.path("timeout_ms").canConvertToLong()) {
            params.put("timeoutMs", raw.get("timeout_ms").asLong());
        }
        connection.receive(
                new Parsed.Valid(new Message.Request(Id.of(key), "services/request", params)), text.length());
    }

    private void answer(String replyTo, ObjectNode envelope) {
        redis.async().lpush(replyTo, envelope.toString());
    }

    // --- Outbound: the hub's answers to the callers' requests --------------------------------------------------

    @Override
    public void send(Message message) {
        if (message instanceof Message.Response res) {
            Asked a = asked.remove(key(res.id()));
            if (a != null) {
                answer(a.replyTo(), Envelope.success(a.id(), res.result(), Instant.now(), elapsed(a)));
            }
        } else if (message instanceof Message.ErrorResponse err) {
            Asked a = asked.remove(key(err.id()));
            if (a != null) {
                answer(a.replyTo(), EnvelopeHandler.errorEnvelope(a.id(), err.error(), elapsed(a)));
            }
        }
    }

    private static String key(Id id) {
        return id instanceof Id.Str s ? s.value() : id.toString();
    }

    private static long elapsed(Asked a) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - a.startedNanos());
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
        running = false;
        if (popper != null) {
            popper.interrupt();
        }
        if (blocking != null) {
            blocking.close();
        }
        if (connection != null) {
            connection.closed();
        }
    }

    @Override
    public long pendingBytes() {
        return 0;
    }
}
