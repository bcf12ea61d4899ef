package dev.agentwire.core.tools;

import static dev.agentwire.core.TestPeer.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.sessions.SessionsFeature;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RpcError;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tool calls through {@link ToolsFeature} and {@link SessionsFeature}, between a provider connection and caller
 * connections on fake outbounds (docs/PROTOCOL.md, tools, "The relay"): timeouts, cancellation, either side going
 * away. The relay mechanism alone is {@code RelayedCallsTest}'s.
 */
class ToolRelayFeatureTest {

    private HubCore core;

    @AfterEach
    void close() {
        core.close();
    }

    private void start(Duration callTimeout) {
        core = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
                .feature(new SessionsFeature(SessionsFeature.Settings.defaults()))
                .feature(new ToolsFeature(new ToolsFeature.Settings(callTimeout, Framing.DEFAULT_MAX_BYTES, 100, 1000)))
                .build();
    }

    /** A provider of tool {@code name} in the default session. */
    private TestPeer provider(String name) {
        TestPeer p = TestPeer.unix(core, 1001);
        p.call(
                "tools/register",
                "{\"tools\":[{\"name\":\"" + name + "\",\"description\":\"a test tool\","
                        + "\"inputSchema\":{\"type\":\"object\"}}]}");
        return p;
    }

    private static long callTool(TestPeer caller, String name, String extra) {
        return caller.send("tools/call", "{\"name\":\"" + name + "\",\"arguments\":{}" + extra + "}");
    }

    private int pending() {
        return core.require(ToolRelay.class).pending();
    }

    @Test
    void aCallWithoutAnAnswerTimesOutAndTheProviderIsToldToStop() {
        start(Duration.ofSeconds(60));
        TestPeer provider = provider("slow");
        TestPeer caller = TestPeer.unix(core, 1002);

        long id = callTool(caller, "slow", ",\"timeoutMs\":100");
        Message.Request sent = provider.awaitRequest("tools/call", 1);
        RpcError e = caller.error(id);

        assertThat(e.code()).isEqualTo(-32001);
        assertThat(e.reason()).isEqualTo("timeout");
        assertThat(e.data().path("timeoutMs").asLong()).isEqualTo(100);
        assertThat(e.data().path("tool").asText()).isEqualTo("slow");
        assertThat(e.message()).startsWith("tools/call slow timed out after 100 ms");
        JsonNode cancel =
                provider.awaitNotifications("notifications/cancelled", 1).get(0);
        assertThat(cancel.path("requestId").asText()).isEqualTo(sent.id().toString());
        assertThat(cancel.path("reason").asText()).isEqualTo("timeout");
        assertThat(pending()).isZero();

        provider.answer(sent, "\"too late\"");

        assertThat(provider.connection().requests().unmatchedReplies())
                .as("the late answer is dropped")
                .isEqualTo(1);
        assertThat(caller.out().sent.stream().filter(m -> !(m instanceof Message.Notification)))
                .as("one reply only")
                .hasSize(1);
    }

    @Test
    void aCallThatNamesNoTimeoutGetsTheFeaturesDefault() {
        start(Duration.ofMillis(150));
        TestPeer provider = provider("slow");
        TestPeer caller = TestPeer.unix(core, 1002);

        RpcError e = caller.error(callTool(caller, "slow", ""));

        assertThat(provider.requests("tools/call")).hasSize(1);
        assertThat(e.code()).isEqualTo(-32001);
        assertThat(e.data().path("timeoutMs").asLong()).isEqualTo(150);
    }

    @Test
    void theCallerCancelsAndTheProviderIsToldUnderItsOwnId() {
        start(Duration.ofSeconds(60));
        TestPeer provider = provider("long");
        TestPeer caller = TestPeer.unix(core, 1002);
        long id = callTool(caller, "long", "");
        Message.Request sent = provider.awaitRequest("tools/call", 1);

        caller.notify("notifications/cancelled", "{\"requestId\":" + id + ",\"reason\":\"user pressed stop\"}");

        RpcError e = caller.error(id);
        assertThat(e.code()).isEqualTo(-32009);
        assertThat(e.reason()).isEqualTo("cancelled");
        assertThat(e.message()).contains("user pressed stop");
        JsonNode cancel =
                provider.awaitNotifications("notifications/cancelled", 1).get(0);
        assertThat(cancel.path("requestId").asText()).isEqualTo(sent.id().toString());
        assertThat(cancel.path("reason").asText()).isEqualTo("user pressed stop");
        assertThat(pending()).isZero();
    }

    @Test
    void theProviderGoingAwayFailsEveryPendingCallerAtOnceAndItsToolsGo() {
        start(Duration.ofSeconds(60));
        TestPeer provider = provider("fragile");
        TestPeer one = TestPeer.unix(core, 1002);
        TestPeer two = TestPeer.unix(core, 1003);
        long a = callTool(one, "fragile", "");
        long b = callTool(two, "fragile", "");
        provider.awaitRequest("tools/call", 2);

        provider.close();

        for (RpcError e : new RpcError[] {one.error(a), two.error(b)}) {
            assertThat(e.code()).isEqualTo(-32003);
            assertThat(e.reason()).isEqualTo("provider_gone");
        }
        assertThat(pending()).isZero();
        assertThat(one.call("tools/list", "{}").path("tools")).isEmpty();
        assertThat(one.notifications("notifications/tools/list_changed")).isNotEmpty();
        RpcError after = one.error(callTool(one, "fragile", ""));
        assertThat(after.code()).isEqualTo(-32002);
        assertThat(after.reason()).isEqualTo("no_provider");
    }

    @Test
    void theCallerGoingAwayCancelsItsCallsAtTheProvider() {
        start(Duration.ofSeconds(60));
        TestPeer provider = provider("long");
        TestPeer caller = TestPeer.unix(core, 1002);
        callTool(caller, "long", "");
        Message.Request sent = provider.awaitRequest("tools/call", 1);

        caller.close();

        JsonNode cancel =
                provider.awaitNotifications("notifications/cancelled", 1).get(0);
        assertThat(cancel.path("requestId").asText()).isEqualTo(sent.id().toString());
        assertThat(cancel.path("reason").asText()).isEqualTo("the caller disconnected");
        waitUntil(() -> pending() == 0);
    }

    @Test
    void eachAnswerReachesItsOwnCallerWhateverTheOrderAndTheIds() {
        start(Duration.ofSeconds(60));
        TestPeer provider = provider("echo");
        TestPeer one = TestPeer.unix(core, 1002);
        TestPeer two = TestPeer.unix(core, 1003);
        // Both callers use request id 1.
        long a = one.send("tools/call", "{\"name\":\"echo\",\"arguments\":{\"who\":\"one\"}}");
        long b = two.send("tools/call", "{\"name\":\"echo\",\"arguments\":{\"who\":\"two\"}}");
        assertThat(a).isEqualTo(b);
        Message.Request first = provider.awaitRequest("tools/call", 1);
        Message.Request second = provider.awaitRequest("tools/call", 2);
        assertThat(first.id()).isNotEqualTo(second.id());

        for (Message.Request r : new Message.Request[] {second, first}) {
            provider.answer(
                    r, "\"for " + r.params().path("arguments").path("who").asText() + "\"");
        }

        assertThat(one.result(a).path("content").get(0).path("text").asText()).isEqualTo("for one");
        assertThat(two.result(b).path("content").get(0).path("text").asText()).isEqualTo("for two");
    }

    @Test
    void progressReachesTheCallerUnderItsOwnToken() {
        start(Duration.ofSeconds(60));
        TestPeer provider = provider("busy");
        TestPeer caller = TestPeer.unix(core, 1002);
        long id = callTool(caller, "busy", ",\"_meta\":{\"progressToken\":\"mine\"}");
        Message.Request sent = provider.awaitRequest("tools/call", 1);
        String hubToken = sent.params().path("_meta").path("progressToken").asText();
        assertThat(hubToken).isEqualTo(sent.id().toString());

        provider.notify("notifications/progress", "{\"progressToken\":" + hubToken + ",\"progress\":1,\"total\":2}");
        provider.answer(sent, "{\"ok\":true}");

        JsonNode progress =
                caller.awaitNotifications("notifications/progress", 1).get(0);
        assertThat(progress.path("progressToken").asText()).isEqualTo("mine");
        assertThat(progress.path("progress").asInt()).isEqualTo(1);
        assertThat(caller.result(id).path("structuredContent").path("ok").asBoolean())
                .isTrue();
    }
}
