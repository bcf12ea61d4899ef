package dev.agentwire.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.PeerRequests;
import dev.agentwire.core.RecordingOutbound;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The relayed-call mechanism on fakes: a provider that records, a caller's outbound that records, a timer the test moves. */
class RelayedCallsTest {

    /** A provider that records what it is sent and told, and answers when the test says. */
    static final class FakeProvider implements ProviderLink {
        record Sent(long id, String method, JsonNode params) {}

        record Cancel(long id, String reason) {}

        final String name;
        final List<Sent> sent = new ArrayList<>();
        final List<Cancel> cancels = new ArrayList<>();
        final List<CompletableFuture<PeerRequests.Reply>> replies = new ArrayList<>();
        /** Whether it went away before the call: every reserved reply fails at once, as PeerRequests' do. */
        boolean gone;

        FakeProvider(String name) {
            this.name = name;
        }

        @Override
        public PeerRequests.Outgoing reserve() {
            CompletableFuture<PeerRequests.Reply> reply = new CompletableFuture<>();
            replies.add(reply);
            if (gone) {
                reply.completeExceptionally(
                        HubException.of(ErrorCode.PROVIDER_GONE, "provider_gone", name + " is gone"));
            }
            return new PeerRequests.Outgoing(replies.size(), reply);
        }

        @Override
        public void send(PeerRequests.Outgoing request, String method, JsonNode params) {
            sent.add(new Sent(request.id(), method, params));
        }

        @Override
        public void cancel(long id, String reason) {
            cancels.add(new Cancel(id, reason));
        }

        @Override
        public void notify(String method, JsonNode params) {
            throw new AssertionError("the relay tells a provider nothing but requests and cancellations: " + method);
        }

        void answer(long id, JsonNode result) {
            replies.get((int) id - 1).complete(new PeerRequests.Reply(new Message.Response(Id.of(id), result), 10));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Timeouts that fire when the test moves time. */
    static final class FakeTimeouts implements Timeouts {
        record Armed(long dueMs, Runnable task, CompletableFuture<Void> handle) {}

        final List<Armed> armed = new ArrayList<>();
        long nowMs;

        @Override
        public Future<?> schedule(Runnable task, long delayMs) {
            Armed a = new Armed(nowMs + delayMs, task, new CompletableFuture<>());
            armed.add(a);
            return a.handle();
        }

        void advance(long ms) {
            nowMs += ms;
            for (Armed a : List.copyOf(armed)) {
                if (a.dueMs() <= nowMs && !a.handle().isCancelled() && armed.remove(a)) {
                    a.task().run();
                }
            }
        }

        long live() {
            return armed.stream().filter(a -> !a.handle().isDone()).count();
        }
    }

    /** Records the finish hook's calls. */
    static final class Answers implements RelayedCalls.Answer {
        final List<Boolean> finished = new ArrayList<>();

        @Override
        public JsonNode apply(PeerRequests.Reply reply) {
            return ((Message.Response) reply.message()).result();
        }

        @Override
        public void finished(boolean answered) {
            finished.add(answered);
        }
    }

    private final FakeTimeouts timeouts = new FakeTimeouts();
    private final RelayedCalls calls = new RelayedCalls(timeouts);
    private final FakeProvider provider = new FakeProvider("tab-3");
    private final RecordingOutbound callerOut = new RecordingOutbound();

    private static RelayedCalls.Request echo(long timeoutMs) {
        ObjectNode detail = Json.mapper().createObjectNode().put("tool", "echo");
        return new RelayedCalls.Request(
                "tools/call",
                id -> Json.mapper().createObjectNode().put("name", "echo").put("hubId", id),
                timeoutMs,
                new RelayedCalls.Label("tools/call echo", detail, pending -> "provider tab-3, pending=" + pending));
    }

    private Caller caller(long connection, long requestId) {
        return new Caller(connection, callerOut, Optional.of(Id.of(requestId)), Optional.empty());
    }

    private static HubException failure(CompletableFuture<JsonNode> f) {
        assertThat(f).isCompletedExceptionally();
        Throwable t = f.handle((v, e) -> e).join();
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        assertThat(cause).isInstanceOf(HubException.class);
        return (HubException) cause;
    }

    @Test
    void relaysTheRequestUnderItsOwnIdAndTheAnswerBack() {
        Answers answers = new Answers();
        CompletableFuture<JsonNode> f = calls.start(caller(1, 7), provider, echo(5000), answers);

        assertThat(provider.sent).hasSize(1);
        FakeProvider.Sent sent = provider.sent.get(0);
        assertThat(sent.method()).isEqualTo("tools/call");
        assertThat(sent.params().path("hubId").asLong()).isEqualTo(sent.id());
        assertThat(calls.pending()).isEqualTo(1);

        provider.answer(sent.id(), Json.mapper().createObjectNode().put("ok", true));

        assertThat(f.join().path("ok").asBoolean()).isTrue();
        assertThat(answers.finished).containsExactly(true);
        assertThat(calls.pending()).isZero();
        assertThat(timeouts.live())
                .as("the timeout is cancelled with the answer")
                .isZero();
        assertThat(provider.cancels).isEmpty();
    }

    @Test
    void aTimeoutFailsTheCallerWithTheExactErrorAndCancelsAtTheProvider() {
        Answers answers = new Answers();
        CompletableFuture<JsonNode> f = calls.start(caller(1, 7), provider, echo(500), answers);

        timeouts.advance(499);
        assertThat(f).isNotDone();
        timeouts.advance(1);

        HubException e = failure(f);
        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(e.getMessage()).isEqualTo("tools/call echo timed out after 500 ms (provider tab-3, pending=1)");
        assertThat(e.toRpcError().data().toString())
                .isEqualTo("{\"reason\":\"timeout\",\"timeoutMs\":500,\"tool\":\"echo\"}");
        assertThat(provider.cancels).containsExactly(new FakeProvider.Cancel(1, "timeout"));
        assertThat(answers.finished).containsExactly(false);
        assertThat(calls.pending()).isZero();

        provider.answer(1, Json.mapper().createObjectNode());
        assertThat(answers.finished).as("a late answer changes nothing").containsExactly(false);
    }

    @Test
    void theTimeoutMessageCountsTheCallsPendingWhenItFires() {
        calls.start(caller(1, 1), provider, echo(500), new Answers());
        calls.start(caller(1, 2), provider, echo(9000), new Answers());
        CompletableFuture<JsonNode> third = calls.start(caller(1, 3), provider, echo(200), new Answers());

        timeouts.advance(200);

        assertThat(failure(third).getMessage())
                .isEqualTo("tools/call echo timed out after 200 ms (provider tab-3, pending=3)");
        assertThat(calls.pending()).isEqualTo(2);
    }

    @Test
    void theCallerCancelsAndTheProviderIsTold() {
        Answers answers = new Answers();
        CompletableFuture<JsonNode> f = calls.start(caller(1, 7), provider, echo(5000), answers);

        boolean known = calls.cancelled(
                1, Json.mapper().createObjectNode().put("requestId", 7).put("reason", "user"));

        assertThat(known).isTrue();
        HubException e = failure(f);
        assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
        assertThat(e.getMessage()).isEqualTo("tools/call echo cancelled: user");
        assertThat(e.toRpcError().reason()).isEqualTo("cancelled");
        assertThat(provider.cancels).containsExactly(new FakeProvider.Cancel(1, "user"));
        assertThat(answers.finished).containsExactly(false);
        assertThat(calls.pending()).isZero();
        assertThat(timeouts.live()).isZero();
    }

    @Test
    void aCancellationWithoutAReasonSaysTheCallerCancelled() {
        CompletableFuture<JsonNode> f = calls.start(
                new Caller(1, callerOut, Optional.of(Id.of("abc")), Optional.empty()),
                provider,
                echo(5000),
                new Answers());

        assertThat(calls.cancelled(1, Json.mapper().createObjectNode().put("requestId", "abc")))
                .isTrue();

        assertThat(failure(f).getMessage()).isEqualTo("tools/call echo cancelled: cancelled by the caller");
        assertThat(provider.cancels).containsExactly(new FakeProvider.Cancel(1, "cancelled by the caller"));
    }

    @Test
    void aCancellationForNoPendingCallIsNotOurs() {
        CompletableFuture<JsonNode> f = calls.start(caller(1, 7), provider, echo(5000), new Answers());

        assertThat(calls.cancelled(1, Json.mapper().createObjectNode().put("requestId", 8)))
                .isFalse();
        assertThat(calls.cancelled(1, Json.mapper().createObjectNode().put("requestId", "7")))
                .as("a string id is not the number")
                .isFalse();
        assertThat(calls.cancelled(1, Json.mapper().createObjectNode())).isFalse();
        assertThat(calls.cancelled(
                        1,
                        Json.mapper()
                                .createObjectNode()
                                .set("requestId", Json.mapper().createObjectNode())))
                .isFalse();
        assertThat(f).isNotDone();
        assertThat(provider.cancels).isEmpty();
    }

    @Test
    void aCallWithoutARequestIdCannotBeCancelledByIdButEndsWithItsCaller() {
        CompletableFuture<JsonNode> f = calls.start(
                new Caller(1, callerOut, Optional.empty(), Optional.empty()), provider, echo(5000), new Answers());

        assertThat(calls.cancelled(1, Json.mapper().createObjectNode().put("requestId", 1)))
                .isFalse();
        calls.callerGone(1);

        assertThat(failure(f).toRpcError().reason()).isEqualTo("caller_gone");
    }

    @Test
    void theProviderGoingAwayFailsTheCallerWithItsError() {
        Answers answers = new Answers();
        CompletableFuture<JsonNode> f = calls.start(caller(1, 7), provider, echo(5000), answers);
        HubException gone =
                HubException.of(ErrorCode.PROVIDER_GONE, "provider_gone", "tab-3 disconnected before it answered");

        provider.replies.get(0).completeExceptionally(new CompletionException(gone));

        assertThat(failure(f)).isSameAs(gone);
        assertThat(answers.finished).containsExactly(false);
        assertThat(provider.cancels).as("nobody is left to tell").isEmpty();
        assertThat(calls.pending()).isZero();
        assertThat(timeouts.live()).isZero();
        assertThat(calls.cancelled(1, Json.mapper().createObjectNode().put("requestId", 7)))
                .isFalse();
    }

    @Test
    void aProviderAlreadyGoneFailsTheCallAtOnce() {
        FakeProvider closed = new FakeProvider("closed");
        closed.gone = true;

        CompletableFuture<JsonNode> f = calls.start(caller(1, 7), closed, echo(5000), new Answers());

        assertThat(failure(f).code()).isEqualTo(ErrorCode.PROVIDER_GONE);
        assertThat(calls.pending()).isZero();
        assertThat(timeouts.live()).isZero();
    }

    @Test
    void theCallerGoingAwayDropsItsCallsAndTellsTheirProviders() {
        FakeProvider other = new FakeProvider("tab-4");
        Answers answers = new Answers();
        CompletableFuture<JsonNode> a = calls.start(caller(1, 7), provider, echo(5000), answers);
        CompletableFuture<JsonNode> b = calls.start(caller(1, 8), other, echo(5000), new Answers());
        CompletableFuture<JsonNode> someoneElse = calls.start(caller(2, 7), provider, echo(5000), new Answers());

        calls.callerGone(1);

        for (CompletableFuture<JsonNode> f : List.of(a, b)) {
            HubException e = failure(f);
            assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
            assertThat(e.toRpcError().reason()).isEqualTo("caller_gone");
            assertThat(e.getMessage()).isEqualTo("the caller disconnected");
        }
        assertThat(provider.cancels).containsExactly(new FakeProvider.Cancel(1, "the caller disconnected"));
        assertThat(other.cancels).containsExactly(new FakeProvider.Cancel(1, "the caller disconnected"));
        assertThat(answers.finished).containsExactly(false);
        assertThat(someoneElse).isNotDone();
        assertThat(calls.pending()).isEqualTo(1);
    }

    @Test
    void progressGoesToTheCallerUnderItsTokenAndRestartsTheTimeout() {
        Caller withToken = new Caller(
                1,
                callerOut,
                Optional.of(Id.of(7)),
                Optional.of(Json.mapper().getNodeFactory().textNode("mine")));
        CompletableFuture<JsonNode> f = calls.start(withToken, provider, echo(500), new Answers());

        timeouts.advance(400);
        calls.progress(
                provider,
                Json.mapper()
                        .createObjectNode()
                        .put("progressToken", 1)
                        .put("progress", 5)
                        .put("total", 10));
        timeouts.advance(400);

        assertThat(f).as("progress restarted the timeout").isNotDone();
        assertThat(callerOut.sent).hasSize(1);
        Message.Notification n = (Message.Notification) callerOut.sent.get(0);
        assertThat(n.method()).isEqualTo("notifications/progress");
        assertThat(n.params().toString()).isEqualTo("{\"progressToken\":\"mine\",\"progress\":5,\"total\":10}");

        timeouts.advance(100);
        assertThat(failure(f).getMessage()).startsWith("tools/call echo timed out after 500 ms");
    }

    @Test
    void progressFromAnotherProviderOrForNoCallIsDropped() {
        Caller withToken = new Caller(
                1,
                callerOut,
                Optional.of(Id.of(7)),
                Optional.of(Json.mapper().getNodeFactory().numberNode(3)));
        calls.start(withToken, provider, echo(500), new Answers());
        FakeProvider stranger = new FakeProvider("stranger");

        calls.progress(
                stranger,
                Json.mapper().createObjectNode().put("progressToken", 1).put("progress", 1));
        calls.progress(
                provider,
                Json.mapper().createObjectNode().put("progressToken", 2).put("progress", 1));
        calls.progress(provider, Json.mapper().createObjectNode().put("progress", 1));
        calls.progress(
                provider,
                Json.mapper().createObjectNode().put("progressToken", "1").put("progress", 1));

        assertThat(callerOut.sent).isEmpty();
    }

    @Test
    void progressForACallerWithoutATokenOnlyRestartsTheTimeout() {
        CompletableFuture<JsonNode> f = calls.start(caller(1, 7), provider, echo(500), new Answers());

        timeouts.advance(400);
        calls.progress(provider, Json.mapper().createObjectNode().put("progressToken", 1));
        timeouts.advance(400);

        assertThat(f).isNotDone();
        assertThat(callerOut.sent).isEmpty();
    }

    @Test
    void twoCallersWithTheSameRequestIdAreTwoCalls() {
        CompletableFuture<JsonNode> first = calls.start(caller(1, 1), provider, echo(5000), new Answers());
        CompletableFuture<JsonNode> second = calls.start(caller(2, 1), provider, echo(5000), new Answers());

        assertThat(calls.cancelled(2, Json.mapper().createObjectNode().put("requestId", 1)))
                .isTrue();

        assertThat(failure(second).code()).isEqualTo(ErrorCode.CANCELLED);
        assertThat(first).isNotDone();
        assertThat(provider.cancels)
                .as("the provider is told the hub's id of the second call")
                .containsExactly(new FakeProvider.Cancel(2, "cancelled by the caller"));
        assertThat(calls.cancelled(2, Json.mapper().createObjectNode().put("requestId", 1)))
                .as("caller 2 has no call 1 any more")
                .isFalse();
        provider.answer(1, Json.mapper().createObjectNode().put("first", true));
        assertThat(first.join().path("first").asBoolean()).isTrue();
    }

    @Test
    void aCallerReusingAnIdKeepsTheNewerCallCancellable() {
        CompletableFuture<JsonNode> older = calls.start(caller(1, 1), provider, echo(5000), new Answers());
        CompletableFuture<JsonNode> newer = calls.start(caller(1, 1), provider, echo(5000), new Answers());

        provider.answer(1, Json.mapper().createObjectNode());
        assertThat(older).isCompleted();

        assertThat(calls.cancelled(1, Json.mapper().createObjectNode().put("requestId", 1)))
                .isTrue();
        assertThat(failure(newer).code()).isEqualTo(ErrorCode.CANCELLED);
    }

    @Test
    void anAnswerThatFailsToConvertFailsTheCall() {
        List<Boolean> finished = new ArrayList<>();
        RelayedCalls.Answer tooLarge = new RelayedCalls.Answer() {
            @Override
            public JsonNode apply(PeerRequests.Reply reply) {
                throw HubException.of(ErrorCode.TOO_LARGE, "result_too_large", "too large");
            }

            @Override
            public void finished(boolean answered) {
                finished.add(answered);
            }
        };
        CompletableFuture<JsonNode> f = calls.start(caller(1, 7), provider, echo(5000), tooLarge);

        provider.answer(1, Json.mapper().createObjectNode());

        assertThat(failure(f).code()).isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(finished).as("the provider did answer").containsExactly(true);
        assertThat(calls.pending()).isZero();
    }

    @Test
    void theFinishHookRunsBeforeTheCallerHears() {
        List<String> order = new ArrayList<>();
        RelayedCalls.Answer answer = new RelayedCalls.Answer() {
            @Override
            public JsonNode apply(PeerRequests.Reply reply) {
                return Json.mapper().nullNode();
            }

            @Override
            public void finished(boolean answered) {
                order.add("finished");
            }
        };
        calls.start(caller(1, 7), provider, echo(5000), answer).thenRun(() -> order.add("caller"));

        provider.answer(1, Json.mapper().createObjectNode());

        assertThat(order).containsExactly("finished", "caller");
    }

    @Test
    void aTimeoutMustBePositive() {
        assertThat(RelayedCalls.checkTimeout(1)).isEqualTo(1);
        assertThatThrownBy(() -> RelayedCalls.checkTimeout(0))
                .isInstanceOfSatisfying(
                        HubException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMS))
                .hasMessage("timeoutMs must be positive, got 0");
    }
}
