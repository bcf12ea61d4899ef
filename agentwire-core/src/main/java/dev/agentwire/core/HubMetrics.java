package dev.agentwire.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of calls by method and outcome, with their total handling time. Only registered methods get their
 * own row (unknown names count under {@code (unknown)}), so a peer cannot grow this map. Thread safe.
 */
public final class HubMetrics {

    /** The row for methods that are not registered. */
    public static final String UNKNOWN = "(unknown)";

    private final Map<String, Row> rows = new ConcurrentHashMap<>();
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
        final LongAdder nanos = new LongAdder();

        LongAdder count(String outcome) {
            return outcomes.computeIfAbsent(outcome, o -> new LongAdder());
        }
    }
}
