package dev.agentwire.core.calls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.protocol.Json;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The call log: records every {@code tools/call} and {@code services/request} in a {@link CallStore}, answers
 * {@code calls/list} (scope {@code admin}), publishes each record as event {@code calls/recorded}, and adds
 * {@code callLog} (recorded, dropped, queued) to {@code hub/status}. Install it after sessions.
 */
public final class CallsFeature implements Feature {

    /**
     * The {@code calls} section.
     *
     * @param enabled whether calls are recorded at all
     * @param redact a regular expression found in a key's name marks its value secret, at any depth
     * @param maxArgumentBytes the largest arguments kept whole (JSON text after redaction); longer ones are cut
     * @param maxRows records kept, the newest
     * @param maxAge how long a record is kept
     * @param maxBytes the most the kept records may take (their text), the newest kept
     * @param queue calls that may wait for the writer before more are dropped
     */
    @Setting.Section("calls")
    public record Settings(
            @Setting(value = "true", kind = Kind.BOOLEAN, doc = "record every tool call and service request in hub.db")
            boolean enabled,

            @Setting(
                    value = Redactor.DEFAULT_RULE,
                    kind = Kind.STRING,
                    doc = "regular expression found in an argument's key name (at any depth): its value is recorded"
                            + " as [redacted]; empty redacts nothing")
            String redact,

            @Setting(
                    value = "16KiB",
                    kind = Kind.SIZE,
                    min = 64,
                    max = 16 << 20,
                    doc = "the largest recorded arguments (JSON after redaction); longer ones are cut, with a marker")
            int maxArgumentBytes,

            @Setting(value = "100000", kind = Kind.INTEGER, min = 1, max = 100_000_000, doc = "recorded calls kept")
            long maxRows,

            @Setting(
                    key = "maxAgeMs",
                    value = "604800000",
                    kind = Kind.MILLIS,
                    min = 1,
                    doc = "how long a recorded call is kept (default 7 days)")
            Duration maxAge,

            @Setting(
                    value = "64MiB",
                    kind = Kind.SIZE,
                    min = 1 << 16,
                    max = Integer.MAX_VALUE,
                    doc = "the most the recorded calls may take in hub.db (their text); the oldest go first")
            long maxBytes,

            @Setting(
                    value = "10000",
                    kind = Kind.INTEGER,
                    min = 1,
                    max = 1_000_000,
                    doc = "calls waiting to be written before more are dropped (and counted in hub/status)")
            int queue) {
        public Settings {
            // Checked here, so that a bad rule stops the start naming the key.
            new Redactor(redact, maxArgumentBytes);
        }

        /** The same values as the annotations say. */
        public static Settings defaults() {
            return new Settings(true, Redactor.DEFAULT_RULE, 16 << 10, 100_000, Duration.ofDays(7), 64 << 20, 10_000);
        }
    }

    private final Settings settings;
    private final Supplier<CallStore> store;
    private final LongSupplier clock;

    /**
     * @param store opens the store when the log is enabled (not opened otherwise)
     */
    public CallsFeature(Settings settings, Supplier<CallStore> store) {
        this(settings, store, System::currentTimeMillis);
    }

    /** With {@code clock} (epoch milliseconds) for record times, {@code since} and the age limit. */
    public CallsFeature(Settings settings, Supplier<CallStore> store, LongSupplier clock) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void install(HubContext hub) {
        if (!settings.enabled()) {
            hub.registry().register("calls/list", Access.scope("admin"), call -> {
                CallQuery.parse(call.params(), clock.getAsLong());
                ObjectNode out = Json.mapper().createObjectNode();
                out.putArray("calls");
                out.put("enabled", false);
                return CompletableFuture.completedFuture(out);
            });
            hub.status(s -> s.putObject("callLog").put("enabled", false));
            return;
        }
        CallWriter writer = new CallWriter(
                store.get(),
                new Redactor(settings.redact(), settings.maxArgumentBytes()),
                new CallWriter.Retention(settings.maxRows(), settings.maxAge().toMillis(), settings.maxBytes()),
                settings.queue(),
                clock,
                r -> hub.events().publish("calls", "recorded", r.toJson()));
        hub.onStop(writer);
        writer.start();
        hub.intercept(new CallRecorder(writer, hub.ticker(), clock));
        hub.registry().register("calls/list", Access.scope("admin"), call -> list(writer, call));
        hub.status(s -> s.putObject("callLog")
                .put("enabled", true)
                .put("recorded", writer.recorded())
                .put("dropped", writer.dropped())
                .put("failed", writer.failed())
                .put("pruned", writer.pruned())
                .put("queued", writer.queued()));
    }

    private CompletionStage<JsonNode> list(CallWriter writer, Call call) {
        CallQuery q = CallQuery.parse(call.params(), clock.getAsLong());
        return writer.list(q).thenApply(records -> {
            ObjectNode out = Json.mapper().createObjectNode();
            ArrayNode calls = out.putArray("calls");
            records.forEach(r -> calls.add(r.toJson()));
            return out;
        });
    }
}
