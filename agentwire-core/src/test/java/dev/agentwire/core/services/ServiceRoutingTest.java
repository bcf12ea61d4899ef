package dev.agentwire.core.services;

import static dev.agentwire.core.TestPeer.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.TestTicker;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RpcError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Routing of {@code services/request} through {@link ServicesFeature} (docs/PROTOCOL.md, services): to the
 * instance with the fewest pending requests, ties broken round robin, within a group if asked; the hub's own
 * failures (no responders, instance gone, timeout, cancellation) and the handling statistics, whose times come
 * from the hub's ticker.
 */
class ServiceRoutingTest {

    private final TestTicker ticker = new TestTicker();
    private final HubCore core = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), ticker)
            .feature(new ServicesFeature(new ServicesFeature.Settings(Duration.ofSeconds(30))))
            .build();
    private final TestPeer caller = TestPeer.unix(core, 1000);

    @AfterEach
    void close() {
        core.close();
    }

    private List<TestPeer> instances(String service, String... groups) {
        List<TestPeer> out = new ArrayList<>();
        for (int i = 0; i < groups.length; i++) {
            TestPeer p = TestPeer.unix(core, 2000 + i);
            p.call(
                    "services/register",
                    "{\"name\":\"" + service + "\"" + (groups[i].isEmpty() ? "" : ",\"group\":\"" + groups[i] + "\"")
                            + "}");
            out.add(p);
        }
        return out;
    }

    private long request(String service, String extra) {
        return caller.send("services/request", "{\"service\":\"" + service + "\",\"action\":\"go\"" + extra + "}");
    }

    private static int handles(TestPeer p) {
        return p.requests("services/handle").size();
    }

    /** Sends one request and returns the index of the instance it reached. */
    private int route(List<TestPeer> instances, String extra) {
        int[] before = instances.stream().mapToInt(ServiceRoutingTest::handles).toArray();
        request("svc", extra);
        waitUntil(() -> instances.stream().mapToInt(ServiceRoutingTest::handles).sum()
                == java.util.Arrays.stream(before).sum() + 1);
        for (int i = 0; i < instances.size(); i++) {
            if (handles(instances.get(i)) > before[i]) {
                return i;
            }
        }
        throw new AssertionError("no instance got the request");
    }

    private final Map<TestPeer, Integer> answered = new HashMap<>();

    /** Answers every request {@code p} has not answered yet. */
    private void answerAll(TestPeer p) {
        List<Message.Request> all = p.requests("services/handle");
        for (Message.Request r : all.subList(answered.getOrDefault(p, 0), all.size())) {
            p.answer(r, "{\"by\":" + p.connection().id() + "}");
        }
        answered.put(p, all.size());
    }

    private int pending(TestPeer p) {
        return handles(p) - answered.getOrDefault(p, 0);
    }

    @Test
    void aRequestGoesToTheInstanceWithTheFewestPending() {
        List<TestPeer> all = instances("svc", "", "", "");

        int first = route(all, "");
        int second = route(all, "");
        int third = route(all, "");
        answerAll(all.get(second));
        int fourth = route(all, "");

        assertThat(List.of(first, second, third))
                .as("one each while all are busy")
                .containsExactlyInAnyOrder(0, 1, 2);
        assertThat(fourth).as("the only idle instance").isEqualTo(second);
        Random random = new Random(7);
        for (int step = 0; step < 40; step++) {
            if (random.nextInt(3) == 0) {
                answerAll(all.get(random.nextInt(all.size())));
            }
            int[] load = all.stream().mapToInt(this::pending).toArray();
            int to = route(all, "");
            assertThat(load[to])
                    .as("step %d: loads %s, sent to %d", step, java.util.Arrays.toString(load), to)
                    .isEqualTo(java.util.Arrays.stream(load).min().getAsInt());
        }
    }

    @Test
    void amongEqualInstancesRequestsGoRoundRobin() {
        List<TestPeer> all = instances("svc", "", "", "");
        List<Integer> order = new ArrayList<>();

        for (int i = 0; i < 9; i++) {
            int to = route(all, "");
            order.add(to);
            answerAll(all.get(to));
        }

        assertThat(order.subList(3, 9))
                .as("the order repeats every 3")
                .isEqualTo(List.of(order.get(0), order.get(1), order.get(2), order.get(0), order.get(1), order.get(2)));
        assertThat(order.subList(0, 3)).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void aGroupLimitsTheChoiceAndAGroupWithoutInstancesHasNoResponders() {
        List<TestPeer> all = instances("svc", "gpu", "cpu", "gpu");

        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int to = route(all, ",\"group\":\"gpu\"");
            order.add(to);
            answerAll(all.get(to));
        }
        RpcError none = caller.error(request("svc", ",\"group\":\"tpu\""));
        RpcError unknown = caller.error(request("nobody", ""));

        assertThat(order).containsOnly(0, 2).contains(0, 2);
        assertThat(none.code()).isEqualTo(-32002);
        assertThat(none.reason()).isEqualTo("no_responders");
        assertThat(none.data().path("group").asText()).isEqualTo("tpu");
        assertThat(unknown.code()).isEqualTo(-32002);
        assertThat(unknown.data().path("service").asText()).isEqualTo("nobody");
    }

    /**
     * The rotation counts every instance, members of the group or not, and a pick skips to the next member: the
     * member after a non-member gets its own turn and the non-member's. Here instance 2 gets 4 of 6.
     */
    @Test
    void withinAGroupEqualInstancesTakeTurnsEvenly() {
        List<TestPeer> all = instances("svc", "gpu", "cpu", "gpu");
        int[] counts = new int[all.size()];

        for (int i = 0; i < 6; i++) {
            int to = route(all, ",\"group\":\"gpu\"");
            counts[to]++;
            answerAll(all.get(to));
        }

        assertThat(counts).containsExactly(3, 0, 3);
    }

    @Test
    void anInstanceThatGoesAwayFailsItsRequestAtOnceAndLeavesTheRotation() {
        List<TestPeer> all = instances("svc", "", "");
        long id = request("svc", "");
        waitUntil(() -> handles(all.get(0)) + handles(all.get(1)) == 1);
        int gone = handles(all.get(0)) == 1 ? 0 : 1;

        all.get(gone).close();

        RpcError e = caller.error(id);
        assertThat(e.code()).isEqualTo(-32003);
        assertThat(e.reason()).isEqualTo("provider_gone");
        for (int i = 0; i < 4; i++) {
            int to = route(all, "");
            assertThat(to).as("request %d after the loss", i + 1).isEqualTo(1 - gone);
            answerAll(all.get(to));
        }
        JsonNode svc = caller.call("services/list", "{}").path("services").get(0);
        assertThat(svc.path("instances")).hasSize(1);
        assertThat(svc.path("failed").asInt()).isEqualTo(1);
        assertThat(svc.path("handled").asInt()).isEqualTo(4);
    }

    @Test
    void aRequestWithoutAnAnswerTimesOutTheInstanceIsToldAndItsLoadFreed() {
        TestPeer instance = instances("svc", "").get(0);
        long id = request("svc", ",\"timeoutMs\":100");
        Message.Request sent = instance.awaitRequest("services/handle", 1);

        RpcError e = caller.error(id);

        assertThat(e.code()).isEqualTo(-32001);
        assertThat(e.reason()).isEqualTo("timeout");
        assertThat(e.data().path("timeoutMs").asLong()).isEqualTo(100);
        assertThat(e.data().path("service").asText()).isEqualTo("svc");
        assertThat(e.data().path("action").asText()).isEqualTo("go");
        JsonNode cancel =
                instance.awaitNotifications("notifications/cancelled", 1).get(0);
        assertThat(cancel.path("requestId").asText()).isEqualTo(sent.id().toString());
        JsonNode svc = caller.call("services/list", "{}").path("services").get(0);
        assertThat(svc.path("pending").asInt()).isZero();
        assertThat(svc.path("failed").asInt()).isEqualTo(1);
    }

    @Test
    void theCallerCancelsAndTheInstanceIsTold() {
        TestPeer instance = instances("svc", "").get(0);
        long id = request("svc", "");
        Message.Request sent = instance.awaitRequest("services/handle", 1);

        caller.notify("notifications/cancelled", "{\"requestId\":" + id + "}");

        assertThat(caller.error(id).code()).isEqualTo(-32009);
        JsonNode cancel =
                instance.awaitNotifications("notifications/cancelled", 1).get(0);
        assertThat(cancel.path("requestId").asText()).isEqualTo(sent.id().toString());
    }

    @Test
    void handlingTimesAreMeasuredOnTheHubsTicker() {
        TestPeer instance = instances("svc", "").get(0);
        long[] took = {10, 30};
        for (int i = 0; i < took.length; i++) {
            long ms = took[i];
            long id = request("svc", "");
            Message.Request sent = instance.awaitRequest("services/handle", i + 1);
            ticker.advance(Duration.ofMillis(ms));
            instance.answer(sent, "{}");
            caller.result(id);
        }

        JsonNode svc = caller.call("services/list", "{}").path("services").get(0);
        assertThat(svc.path("handled").asInt()).isEqualTo(2);
        assertThat(svc.path("meanMs").asDouble()).isEqualTo(20.0);
        assertThat(svc.path("p99Ms").asDouble()).isEqualTo(30.0);
        assertThat(svc.path("instances").get(0).path("handled").asInt()).isEqualTo(2);
    }
}
