package dev.agentwire.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of calls by method and outcome, with their total handling time. Only registered methods get their
 * own row (unknown names count under {@code (unknown)}), so a peer cannot grow this map. Thread safe.
 */
public final class HubMetrics {

    /** The row for methods that are not registered. */
    public static final String UNKNOWN = "(unknown)";

    private final Map<String, Row> rows = new ConcurrentHashMap<>();
    private static final String RATE_LIMITED = "-32004";
    /** Latency buckets of the request histogram, from a fast inline call to a slow tool. */
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(50_000),
        Duration.ofNanos(100_000),
        Duration.ofNanos(250_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30)
    };

    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private volatile MeterRegistry meters;
    private final LongAdder slowConsumers = new LongAdder();
    private final LongAdder droppedEphemeral = new LongAdder();

    /** Counts one ephemeral message (typing, presence, control) dropped for a peer that was behind. */
    public void droppedEphemeral() {
        droppedEphemeral.increment();
    }

    /** Ephemeral messages dropped since start. */
    public long droppedEphemeralCount() {
        return droppedEphemeral.sum();
    }

    /** Counts one peer closed as a slow consumer. */
    public void slowConsumer() {
        slowConsumers.increment();
    }

    /** Peers closed as slow consumers since start. */
    public long slowConsumers() {
        return slowConsumers.sum();
    }

    /** Records one finished call. */
    public void record(String method, String outcome, long nanos) {
        Row row = rows.computeIfAbsent(method, m -> new Row());
        row.count(outcome).increment();
        row.nanos.add(nanos);
        MeterRegistry m = meters;
        if (m != null) {
            row.timer(method, outcome, m).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Counts the bytes of one message read from a peer. */
    public void bytesIn(long bytes) {
        bytesIn.add(bytes);
    }

    /** Counts bytes written to a peer. */
    public void bytesOut(long bytes) {
        bytesOut.add(bytes);
    }

    /** Calls refused with {@code -32004} (rate limited), any method. */
    public long rateLimitedCount() {
        long n = 0;
        for (Row row : rows.values()) {
            LongAdder a = row.outcomes.get(RATE_LIMITED);
            n += a == null ? 0 : a.sum();
        }
        return n;
    }

    /**
     * Publishes these counters to {@code registry} (the hub's {@code /metrics}): call latency as a histogram by
     * method and outcome, bytes in and out, slow consumers, dropped ephemeral messages, rate-limit refusals.
     */
    public void bind(MeterRegistry registry) {
        FunctionCounter.builder("agentwire.bytes.received", bytesIn, LongAdder::sum)
                .baseUnit("bytes")
                .description("bytes of the messages read from peers")
                .register(registry);
        FunctionCounter.builder("agentwire.bytes.sent", bytesOut, LongAdder::sum)
                .baseUnit("bytes")
                .description("bytes written to peers")
                .register(registry);
        FunctionCounter.builder("agentwire.slow.consumers", slowConsumers, LongAdder::sum)
                .description("peers closed because they did not read what was sent to them")
                .register(registry);
        FunctionCounter.builder("agentwire.dropped.ephemeral", droppedEphemeral, LongAdder::sum)
                .description("typing, presence and control messages dropped for peers that were behind")
                .register(registry);
        FunctionCounter.builder("agentwire.rate.limited", this, HubMetrics::rateLimitedCount)
                .description("calls refused with -32004 (rate limited)")
                .register(registry);
        meters = registry;
    }

    /** Calls of {@code method} that ended with {@code outcome} ("ok" or an error code). */
    public long count(String method, String outcome) {
        Row row = rows.get(method);
        return row == null ? 0 : row.count(outcome).sum();
    }

    /** A JSON snapshot: {@code {method: {outcomes: {ok: n, ...}, meanMicros}}}. */
    public ObjectNode snapshot() {
        ObjectNode out = Json.mapper().createObjectNode();
        new TreeMap<>(rows).forEach((method, row) -> {
            ObjectNode m = out.putObject(method);
            ObjectNode outcomes = m.putObject("outcomes");
            long total = 0;
            for (var e : new TreeMap<>(row.outcomes).entrySet()) {
                long n = e.getValue().sum();
                outcomes.put(e.getKey(), n);
                total += n;
            }
            m.put("meanMicros", total == 0 ? 0 : row.nanos.sum() / total / 1000);
        });
        return out;
    }

    private static final class Row {
        final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        final Map<String, Timer> timers = new ConcurrentHashMap<>();
        final LongAdder nanos = new LongAdder();

        Timer timer(String method, String outcome, MeterRegistry registry) {
            return timers.computeIfAbsent(
                    outcome,
                    o -> Timer.builder("agentwire.requests")
                            .description("calls handled, by method and outcome (ok or the error code)")
                            .tags("method", method, "outcome", o)
                            .serviceLevelObjectives(BUCKETS)
                            .register(registry));
        }

        LongAdder count(String outcome) {
            return outcomes.computeIfAbsent(outcome, o -> new LongAdder());
        }
    }
}
