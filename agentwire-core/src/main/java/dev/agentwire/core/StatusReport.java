package dev.agentwire.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What the hub says about itself: the {@code hub/status} document, a connection as {@code hub/connections} shows
 * it, the heartbeat event and the meters; each with the fields the features add.
 */
final class StatusReport {

    private final HubCore hub;
    private final Hooks hooks;
    private final long startedAtMillis = System.currentTimeMillis();
    private final long startedAtNanos;

    StatusReport(HubCore hub, Hooks hooks) {
        this.hub = hub;
        this.hooks = hooks;
        this.startedAtNanos = hub.ticker().nanoTime();
    }

    long startedAtMillis() {
        return startedAtMillis;
    }

    long uptimeMillis() {
        return TimeUnit.NANOSECONDS.toMillis(hub.ticker().nanoTime() - startedAtNanos);
    }

    ObjectNode status() {
        ObjectNode s = Json.mapper().createObjectNode();
        s.put("hub", "agentwire");
        s.put("version", hub.settings().version());
        s.put("pid", ProcessHandle.current().pid());
        s.put("startedAt", hub.startedAtMillis());
        s.put("uptimeMs", hub.uptimeMillis());
        ObjectNode conns = s.putObject("connections");
        conns.put("total", hub.connections().size());
        for (Transport t : Transport.values()) {
            conns.put(t.label(), count(t));
        }
        s.put("inflight", hub.inflight());
        s.put("accepting", hub.isAccepting());
        for (Consumer<ObjectNode> contributor : hooks.status) {
            contributor.accept(s);
        }
        s.set("calls", hub.metrics().snapshot());
        s.put("slowConsumers", hub.metrics().slowConsumers());
        s.put("droppedEphemeral", hub.metrics().droppedEphemeralCount());
        return s;
    }

    ObjectNode describe(Connection c) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", c.id());
        o.put("transport", c.peer().transport().label());
        o.put("name", c.name());
        o.put("subject", c.subject());
        c.peer().uid().ifPresent(u -> o.put("uid", u));
        c.peer().pid().ifPresent(p -> o.put("pid", p));
        c.peer().executable().ifPresent(e -> o.put("process", e));
        if (c.peer().uid().isEmpty()) {
            o.put("address", c.peer().address());
        }
        for (BiConsumer<Connection, ObjectNode> describer : hooks.describers) {
            describer.accept(c, o);
        }
        long[] t = c.traffic();
        o.put("bytesIn", t[0]);
        o.put("messagesIn", t[1]);
        o.put("bytesOut", t[2]);
        o.put("messagesOut", t[3]);
        o.put("pendingOutboundBytes", c.outbound().pendingBytes());
        o.put("rateLimited", c.rateLimitedCount());
        o.put("ageMs", System.currentTimeMillis() - c.openedAtMillis());
        return o;
    }

    void bindMeters(MeterRegistry registry) {
        hub.metrics().bind(registry);
        for (Transport t : Transport.values()) {
            Gauge.builder("agentwire.connections", this, r -> r.count(t))
                    .description("open connections by transport")
                    .tag("transport", t.label())
                    .register(registry);
        }
        for (Consumer<MeterRegistry> binder : hooks.meters) {
            binder.accept(registry);
        }
    }

    void startHeartbeat(Duration every) {
        hub.timers()
                .scheduleWithFixedDelay(
                        () -> {
                            ObjectNode beat = Json.mapper().createObjectNode();
                            beat.put("uptimeMs", hub.uptimeMillis());
                            beat.put("connections", hub.connections().size());
                            beat.put("inflight", hub.inflight());
                            hub.events().publish("heartbeat", "beat", beat);
                        },
                        every.toMillis(),
                        every.toMillis(),
                        TimeUnit.MILLISECONDS);
    }

    private long count(Transport t) {
        return hub.connections().stream().filter(c -> c.peer().transport() == t).count();
    }
}
