package dev.agentwire.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.agentwire.core.policy.PeerPolicy;
import dev.agentwire.core.policy.TokenBucket;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.Parsed;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoreTest {

    /** A ticker the test moves. */
    static final class FakeTicker implements Ticker {
        final AtomicLong now = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return now.get();
        }

        void advance(Duration d) {
            now.addAndGet(d.toNanos());
        }
    }

    private final HubCore core =
            StandardFeatures.hub(CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM);

    @AfterEach
    void close() {
        core.close();
    }

    private static Parsed parse(String json) {
        return MessageCodec.parse(json.getBytes(UTF_8));
    }

    private static Peer unixPeer(int uid, int... gids) {
        List<Integer> g = new java.util.ArrayList<>();
        for (int x : gids) {
            g.add(x);
        }
        return new Peer(
                Transport.UNIX, "/tmp/s", OptionalInt.of(uid), g, OptionalLong.of(42), Optional.of("/usr/bin/python3"));
    }

    @Test
    void aDuplicateRegistrationThrows() {
        MethodRegistry r = new MethodRegistry();
        r.register("a/b", Access.authenticated(), call -> CompletableFuture.completedFuture(TextNode.valueOf("x")));
        assertThatThrownBy(() -> r.register(
                        "a/b",
                        Access.authenticated(),
                        call -> CompletableFuture.completedFuture(TextNode.valueOf("y"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a/b is already registered");
        assertThatThrownBy(() -> core.registry().register("hub/ping", Access.authenticated(), call -> null))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void repliesKeepRequestOrderEvenWhenInlineMethodsFollowWorkerOnes() {
        RecordingOutbound out = new RecordingOutbound();
        Connection c = core.open(unixPeer(0), out);
        for (int i = 0; i < 200; i++) {
            String method = i % 3 == 0 ? "hub/status" : "hub/ping";
            c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"" + method + "\"}"), 40);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> out.sent.size() == 200);
        for (int i = 0; i < 200; i++) {
            assertThat(((Message.Response) out.sent.get(i)).id()).isEqualTo(Id.of(i));
        }
    }

    @Test
    void unauthenticatedPeersMayOnlySayHello() {
        RecordingOutbound out = new RecordingOutbound();
        Connection c = core.open(Peer.remote(Transport.TCP, "127.0.0.1:1"), out);
        c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/ping\"}"), 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> out.closed);
        assertThat(((Message.ErrorResponse) out.sent.get(0)).error().code()).isEqualTo(-32005);
        RecordingOutbound out2 = new RecordingOutbound();
        Connection c2 = core.open(Peer.remote(Transport.TCP, "127.0.0.1:2"), out2);
        c2.receive(
                parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/hello\",\"params\":{\"token\":\""
                        + core.settings().token() + "\"}}"),
                80);
        await().atMost(Duration.ofSeconds(10)).until(c2::isAuthenticated);
        assertThat(out2.closed).isFalse();
    }

    @Test
    void metricsCountByMethodAndOutcomeWithoutGrowingForUnknownNames() {
        RecordingOutbound out = new RecordingOutbound();
        Connection c = core.open(unixPeer(0), out);
        for (int i = 0; i < 5; i++) {
            c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"made/up/" + i + "\"}"), 40);
        }
        c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"hub/ping\"}"), 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> out.sent.size() == 6);
        assertThat(core.metrics().count(HubMetrics.UNKNOWN, "-32601")).isEqualTo(5);
        assertThat(core.metrics().count("hub/ping", "ok")).isEqualTo(1);
        assertThat(core.metrics().snapshot().size()).isEqualTo(2);
    }

    @Test
    void aHandlerThatThrowsIsAnInternalErrorAndTheHubGoesOn() {
        core.registry().register(Method.of("test/boom", Access.authenticated(), call -> {
            throw new IllegalStateException("kaboom");
        }));
        RecordingOutbound out = new RecordingOutbound();
        Connection c = core.open(unixPeer(0), out);
        c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test/boom\"}"), 40);
        c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"hub/ping\"}"), 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> out.sent.size() == 2);
        assertThat(((Message.ErrorResponse) out.sent.get(0)).error().code()).isEqualTo(-32603);
        assertThat(((Message.ErrorResponse) out.sent.get(0)).error().message()).contains("kaboom");
        assertThat(out.sent.get(1)).isInstanceOf(Message.Response.class);
    }

    /** Issue 11, finding 8: a StackOverflowError killed the worker, the call was never answered, inflight stayed. */
    @Test
    void aHandlerThatOverflowsItsStackIsAnsweredAndNothingStaysInFlight() {
        core.registry().register(Method.of("test/deep", Access.authenticated(), call -> recurse(0)));
        RecordingOutbound out = new RecordingOutbound();
        Connection c = core.open(unixPeer(0), out);
        for (int i = 1; i <= 3; i++) {
            c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"test/deep\"}"), 40);
        }
        c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"hub/status\"}"), 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> out.sent.size() == 4);
        for (int i = 0; i < 3; i++) {
            assertThat(((Message.ErrorResponse) out.sent.get(i)).error().code()).isEqualTo(-32603);
            assertThat(((Message.ErrorResponse) out.sent.get(i)).error().message())
                    .contains("StackOverflowError");
        }
        assertThat(out.sent.get(3)).isInstanceOf(Message.Response.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> core.inflight() == 0);
    }

    private static CompletableFuture<com.fasterxml.jackson.databind.JsonNode> recurse(int depth) {
        return recurse(depth + 1);
    }

    @Test
    void whenIdleWaitsForQueuedAndInFlightCalls() {
        CompletableFuture<com.fasterxml.jackson.databind.JsonNode> gate = new CompletableFuture<>();
        core.registry().register(Method.of("test/gate", Access.authenticated(), call -> gate));
        RecordingOutbound out = new RecordingOutbound();
        Connection c = core.open(unixPeer(0), out);
        c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test/gate\"}"), 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> c.inflight() == 1);
        c.whenIdle(out::close);
        assertThat(out.closed).isFalse();
        gate.complete(TextNode.valueOf("ok"));
        await().atMost(Duration.ofSeconds(10)).until(() -> out.closed);
        assertThat(out.sent).hasSize(1);
    }

    @Test
    void pausedDispatchHoldsCallsUntilResumed() {
        RecordingOutbound out = new RecordingOutbound();
        Connection c = core.open(unixPeer(0), out);
        c.pauseDispatch();
        c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/status\"}"), 40);
        c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"hub/ping\"}"), 40);
        assertThat(out.sent).as("nothing runs while paused").isEmpty();
        c.resumeDispatch();
        await().atMost(Duration.ofSeconds(10)).until(() -> out.sent.size() == 2);
        assertThat(((Message.Response) out.sent.get(0)).id()).isEqualTo(Id.of(1));
    }

    @Test
    void tokenBucketRefillsWithTheTicker() {
        FakeTicker t = new FakeTicker();
        TokenBucket b = new TokenBucket(10, 2, t);
        assertThat(b.tryTake()).isZero();
        assertThat(b.tryTake()).isZero();
        assertThat(b.tryTake()).isEqualTo(100);
        t.advance(Duration.ofMillis(50));
        assertThat(b.tryTake()).isEqualTo(50);
        t.advance(Duration.ofMillis(50));
        assertThat(b.tryTake()).isZero();
        t.advance(Duration.ofSeconds(10));
        assertThat(b.tryTake()).isZero();
        assertThat(b.tryTake()).isZero();
        assertThat(b.tryTake()).as("never more than the burst").isPositive();
        assertThatThrownBy(() -> new TokenBucket(0, 1, t)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void peerPolicyAdmitsOwnerAllowedUidsAndGroupsAndNamedProcesses() {
        PeerPolicy owner = PeerPolicy.ownerOnly(1000);
        assertThat(owner.refusal(unixPeer(1000))).isEmpty();
        assertThat(owner.refusal(unixPeer(1001))).get().asString().contains("uid 1001 is not allowed");
        assertThat(owner.refusal(Peer.remote(Transport.TCP, "x")))
                .as("TCP uses tokens")
                .isEmpty();
        PeerPolicy wide = new PeerPolicy(OptionalInt.of(1000), Set.of(1001), Set.of(50), Set.of());
        assertThat(wide.refusal(unixPeer(1001))).isEmpty();
        assertThat(wide.refusal(unixPeer(2000, 7, 50))).isEmpty();
        assertThat(wide.refusal(unixPeer(2000, 7))).isPresent();
        PeerPolicy procs = new PeerPolicy(OptionalInt.of(1000), Set.of(), Set.of(), Set.of("/usr/bin/node"));
        assertThat(procs.refusal(unixPeer(1000))).get().asString().contains("/usr/bin/python3");
        assertThat(new PeerPolicy(OptionalInt.of(1000), Set.of(), Set.of(), Set.of("/usr/bin/python3"))
                        .refusal(unixPeer(1000)))
                .isEmpty();
    }

    @Test
    void shutdownRefusesNewCallsAndTellsEveryone() throws Exception {
        RecordingOutbound out = new RecordingOutbound();
        Connection c = core.open(unixPeer(0), out);
        core.beginShutdown();
        assertThat(((Message.Notification) out.sent.get(0))
                        .params()
                        .path("action")
                        .asText())
                .isEqualTo("shutdown");
        c.receive(parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hub/status\"}"), 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> out.sent.size() == 2);
        assertThat(((Message.ErrorResponse) out.sent.get(1)).error().code()).isEqualTo(-32008);
        assertThat(core.awaitIdle(Duration.ofSeconds(1))).isTrue();
    }
}
