package dev.agentwire.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.relay.ProviderLink;
import dev.agentwire.protocol.Envelope;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.server.transport.EnvelopeHandler;
import io.lettuce.core.KeyValue;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator seed's Redis dual mode: service instances that are agents listening on Redis, beside those on
 * sockets (docs/CLUSTER.md, "Redis agents"). A request goes out as the seed's envelope
 * {@code {id, interface, agent, action, data}} plus {@code reply_to}: pushed ({@code LPUSH}) onto the agent's list, or
 * published on its channel; the agent answers with the seed's answer envelope on {@code reply_to}, a list this hub
 * pops ({@code BRPOP} on a connection of its own, thread {@code aw-redis-agents}) or a channel it subscribes to.
 * An answer that is not an envelope is dropped and logged (the request then times out as any would). Thread safe.
 */
public final class RedisAgents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisAgents.class);
    /** How an agent takes requests: from a list it pops, or a channel it subscribes to. */
    public enum Mode {
        LIST,
        PUBSUB
    }

    /**
     * One agent of {@code services.redis}: {@code NAME}, {@code NAME:list|pubsub}, or {@code NAME:MODE:KEY} for an
     * agent that already listens on a key of its own.
     */
    public record Agent(String name, Mode mode, String key) {

        public static Agent parse(String text) {
            String[] p = text.strip().split(":", 3);
            String name = dev.agentwire.core.services.ServiceRegistry.checkName(p[0]);
            Mode mode;
            if (p.length < 2 || p[1].isEmpty() || p[1].equals("list")) {
                mode = Mode.LIST;
            } else if (p[1].equals("pubsub")) {
                mode = Mode.PUBSUB;
            } else {
                throw new IllegalArgumentException(
                        "a Redis agent is NAME, NAME:list, NAME:pubsub or NAME:MODE:KEY, got \"" + text + "\"");
            }
            String key = p.length == 3 && !p[2].isEmpty()
                    ? p[2]
                    : mode == Mode.LIST ? "agentwire:agent:" + name + ":requests" : "agentwire:agent:" + name;
            return new Agent(name, mode, key);
        }
    }

    private final RedisLink redis;
    private final String hub;
    private final AtomicLong ids = new AtomicLong(new java.security.SecureRandom().nextInt() & 0x7fffffffL);
    private final Map<Long, CompletableFuture<PeerRequests.Reply>> waiting = new ConcurrentHashMap<>();
    private RedisLink.Blocking blocking;
    private StatefulRedisPubSubConnection<String, String> pubsub;
    private Thread popper;
    private volatile boolean running;

    public RedisAgents(RedisLink redis, String hub) {
        this.redis = redis;
        this.hub = hub;
    }

    /** Where this hub's agents answer: a list (list mode) and a channel (pub/sub mode) of the same name. */
    String replyTo() {
        return "agentwire:replies:" + hub;
    }

    /** Starts popping and hearing answers. */
    public synchronized RedisAgents start() {
        blocking = redis.newBlocking();
        try {
            pubsub = redis.newPubSub();
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    answered(message);
                }
            });
            pubsub.sync().subscribe(replyTo());
        } catch (RuntimeException e) {
            // Nothing left half open: a start that failed (Redis away again) is tried again whole.
            if (pubsub != null) {
                pubsub.closeAsync();
                pubsub = null;
            }
            blocking.close();
            blocking = null;
            throw e;
        }
        running = true;
        popper = new Thread(this::pop, "aw-redis-agents");
        popper.setDaemon(true);
        popper.start();
        return this;
    }

    private void pop() {
        while (running) {
            try {
                KeyValue<String, String> kv = blocking.sync().brpop(1, replyTo());
                if (kv != null && kv.hasValue()) {
                    answered(kv.getValue());
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("reading Redis agents' answers failed: {}", e.getMessage());
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
            }
        }
    }

    private void answered(String text) {
        Envelope.Inbound in = Envelope.parse(text.getBytes(StandardCharsets.UTF_8));
        if (!(in instanceof Envelope.Answer a)) {
            log.warn(
                    "a Redis agent's answer on {} is not an answer envelope; dropped: {}", replyTo(), abbreviate(text));
            return;
        }
        String prefix = hub + ":";
        long id;
        try {
            id = a.id().startsWith(prefix) ? Long.parseLong(a.id().substring(prefix.length())) : -1;
        } catch (NumberFormatException e) {
            id = -1;
        }
        CompletableFuture<PeerRequests.Reply> reply = waiting.remove(id);
        if (reply == null) {
            log.info("a Redis agent answered {}, which nobody waits for (late, or not this hub's); dropped", a.id());
            return;
        }
        reply.complete(new PeerRequests.Reply(EnvelopeHandler.reply(Id.of(id), a), text.length()));
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    /** Who owns the Redis agents' entries: no hub (any hub reaches them), so every hub registers the same entry. */
    public static final dev.agentwire.core.relay.Directory.Owner OWNER =
            new dev.agentwire.core.relay.Directory.Owner("redis", 0);

    /** {@code agent} as a service instance: {@code services/list} shows it with identity {@code redis}. */
    public dev.agentwire.core.services.Instance instance(Agent agent) {
        return dev.agentwire.core.services.Instance.remote(
                new Link(agent),
                new dev.agentwire.core.services.Instance.Server(
                        0,
                        agent.name() + ":" + agent.mode().name().toLowerCase(java.util.Locale.ROOT) + ":" + agent.key(),
                        "redis",
                        "redis " + agent.mode().name().toLowerCase(java.util.Locale.ROOT)),
                agent.name(),
                "",
                "");
    }

    /** Makes each agent an instance of its service. */
    public void register(dev.agentwire.core.services.ServiceRegistry registry, java.util.List<Agent> agents) {
        for (Agent a : agents) {
            registry.register(a.name(), OWNER, instance(a));
            log.info("service {}: a Redis agent ({} {})", a.name(), a.mode(), a.key());
        }
    }

    /** A Redis agent as a provider of service requests. */
    private final class Link implements ProviderLink {
        private final Agent agent;

        Link(Agent agent) {
            this.agent = agent;
        }

        @Override
        public PeerRequests.Outgoing reserve() {
            long id = ids.incrementAndGet();
            CompletableFuture<PeerRequests.Reply> reply = new CompletableFuture<>();
            waiting.put(id, reply);
            reply.whenComplete((r, e) -> waiting.remove(id));
            return new PeerRequests.Outgoing(id, reply);
        }

        @Override
        public void send(PeerRequests.Outgoing request, String method, JsonNode params) {
            ObjectNode envelope = Envelope.request(
                    hub + ":" + request.id(),
                    params.path("from").path("interface").asText(""),
                    agent.name(),
                    params.path("action").asText(),
                    params.path("data"));
            envelope.put("reply_to", replyTo());
            envelope.put("timestamp", Instant.now().toString());
            String text = envelope.toString();
            var sent = agent.mode() == Mode.LIST
                    ? redis.async().lpush(agent.key(), text)
                    : redis.async().publish(agent.key(), text);
            sent.toCompletableFuture().whenComplete((n, e) -> {
                if (e != null) {
                    request.reply()
                            .completeExceptionally(HubException.of(
                                    ErrorCode.PROVIDER_GONE,
                                    "cluster_unavailable",
                                    "the request could not reach Redis agent " + agent.name() + ": " + e.getMessage()));
                } else if (agent.mode() == Mode.PUBSUB && n == 0 && !redis.isCluster()) {
                    request.reply()
                            .completeExceptionally(HubException.of(
                                    ErrorCode.NO_PROVIDER,
                                    "no_responders",
                                    "nobody listens on channel " + agent.key() + " for Redis agent " + agent.name()));
                }
            });
        }

        @Override
        public void cancel(long id, String reason) {
            waiting.remove(id);
        }

        @Override
        public void notify(String method, JsonNode params) {
            // A Redis agent hears requests only.
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Link l && l.agent.equals(agent);
        }

        @Override
        public int hashCode() {
            return agent.hashCode();
        }

        @Override
        public String toString() {
            return "Redis agent " + agent.name() + " (" + agent.mode().name().toLowerCase(java.util.Locale.ROOT) + " "
                    + agent.key() + ")";
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (popper != null) {
            popper.interrupt();
        }
        if (pubsub != null) {
            pubsub.close();
        }
        if (blocking != null) {
            blocking.close();
        }
    }
}
