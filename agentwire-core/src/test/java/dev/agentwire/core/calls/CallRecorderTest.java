package dev.agentwire.core.calls;

import static dev.agentwire.core.TestPeer.json;
import static dev.agentwire.core.TestPeer.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.sessions.SessionsFeature;
import dev.agentwire.core.tools.ToolsFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The call log's interceptor on every way a tool call ends (answer, timeout, cancellation, the caller gone), over a
 * store in memory; the SQLite store is the server's {@code SqliteCallStoreTest}.
 */
class CallRecorderTest {

    /** A store in a list; ids from 1. */
    static final class MemoryStore implements CallStore {
        final List<CallRecord> rows = new CopyOnWriteArrayList<>();

        @Override
        public synchronized List<CallRecord> insert(List<CallRecord> records) {
            List<CallRecord> out = new ArrayList<>();
            for (CallRecord r : records) {
                CallRecord s = r.withId(rows.size() + 1);
                rows.add(s);
                out.add(s);
            }
            return out;
        }

        @Override
        public int prune(long maxRows, long minAt, long maxBytes) {
            return 0;
        }

        @Override
        public List<CallRecord> list(CallQuery query) {
            return List.copyOf(rows);
        }

        @Override
        public void close() {}
    }

    @org.junit.jupiter.api.Test
    void theQueueIsBoundedByWhatItsCallsWeighNotOnlyByTheirNumber() {
        CallWriter w = new CallWriter(
                new MemoryStore(),
                new Redactor(Redactor.DEFAULT_RULE, 4096),
                new CallWriter.Retention(100, 60_000, Long.MAX_VALUE),
                10_000,
                System::currentTimeMillis,
                r -> {});
        // Not started: nothing drains. Each result weighs about 20 MiB.
        com.fasterxml.jackson.databind.JsonNode big =
                dev.agentwire.protocol.Json.mapper().getNodeFactory().textNode("x".repeat(10 << 20));
        java.util.function.Supplier<CallWriter.Ended> call = () -> new CallWriter.Ended(
                1,
                "tool",
                "default",
                "c",
                "c",
                "t",
                dev.agentwire.protocol.Json.mapper().createObjectNode(),
                1,
                java.util.Optional.of(big),
                java.util.Optional.empty());
        int taken = 0;
        for (int i = 0; i < 10; i++) {
            if (w.offer(call.get())) {
                taken++;
            }
        }
        assertThat(taken).as("64 MiB of 20 MiB calls").isEqualTo(3);
        assertThat(w.dropped()).isEqualTo(7);
    }

    private final MemoryStore store = new MemoryStore();
    private HubCore core;

    @BeforeEach
    void start() {
        core = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
                .feature(new SessionsFeature(SessionsFeature.Settings.defaults()))
                .feature(new ToolsFeature(ToolsFeature.Settings.defaults()))
                .feature(new CallsFeature(CallsFeature.Settings.defaults(), () -> store))
                .build();
    }

    @AfterEach
    void close() {
        core.close();
    }

    private TestPeer provider() {
        TestPeer p = TestPeer.unix(core, 1001);
        p.call(
                "tools/register",
                "{\"tools\":[{\"name\":\"slow\",\"description\":\"d\",\"inputSchema\":{\"type\":\"object\"}}]}");
        return p;
    }

    private CallRecord awaitRecord(int n) {
        waitUntil(() -> store.rows.size() >= n);
        return store.rows.get(n - 1);
    }

    @Test
    void everyEndingIsRecordedOnce() {
        TestPeer provider = provider();
        TestPeer caller = TestPeer.unix(core, 1002);

        long answered = caller.send("tools/call", "{\"name\":\"slow\",\"arguments\":{\"secret\":\"s\",\"n\":1}}");
        provider.answer(provider.awaitRequest("tools/call", 1), "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}");
        var received = caller.result(answered);
        CallRecord ok = awaitRecord(1);
        assertThat(ok.error()).isEmpty();
        assertThat(ok.target()).isEqualTo("slow");
        assertThat(ok.identity()).isEqualTo("uid:1002");
        assertThat(ok.arguments()).isEqualTo(json("{\"secret\":\"[redacted]\",\"n\":1}"));
        assertThat(ok.resultDigest()).as("the answer the caller got").hasValue(ResultDigest.of(received));
        assertThat(ok.resultBytes()).isEqualTo(received.toString().length());

        long timedOut = caller.send("tools/call", "{\"name\":\"slow\",\"arguments\":{},\"timeoutMs\":50}");
        caller.error(timedOut);
        assertThat(awaitRecord(2).error())
                .hasValueSatisfying(e -> assertThat(e.code()).isEqualTo(-32001));

        long cancelled = caller.send("tools/call", "{\"name\":\"slow\",\"arguments\":{}}");
        provider.awaitRequest("tools/call", 3);
        caller.notify("notifications/cancelled", "{\"requestId\":" + cancelled + ",\"reason\":\"stop\"}");
        assertThat(awaitRecord(3).error())
                .hasValueSatisfying(e -> assertThat(e.code()).isEqualTo(-32009));

        caller.send("tools/call", "{\"name\":\"slow\",\"arguments\":{}}");
        provider.awaitRequest("tools/call", 4);
        caller.close();
        assertThat(awaitRecord(4).error())
                .as("the caller went away")
                .hasValueSatisfying(e -> assertThat(e.message()).contains("disconnected"));

        assertThat(store.rows).hasSize(4);
        assertThat(core.status().path("callLog").path("recorded").asLong()).isEqualTo(4);
    }

    @Test
    void otherMethodsAreNotRecorded() {
        TestPeer caller = TestPeer.unix(core, 1002);
        caller.call("tools/list", "{}");
        caller.call("sessions/list", "{}");
        long missing = caller.send("tools/call", "{\"name\":\"nothing\",\"arguments\":{}}");
        caller.error(missing);
        assertThat(awaitRecord(1).target()).isEqualTo("nothing");
        assertThat(store.rows).hasSize(1);
    }
}
