package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.HubCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Terminals across two {@code aw hub} processes on one Redis (docs/CLUSTER.md, "Terminals"): a terminal started on
 * hub A is listed on hub B with its hub, and B's callers type into it, read it, wait on it, resize, retitle and
 * kill it as A's would.
 */
class ClusterTerminalsTest {

    static HubCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = HubCluster.start(List.of("hub-a", "hub-b"), "cluster.heartbeatMs=300", "cluster.deadAfterMs=5000");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static JsonNode call(AgentwireClient c, String method, ObjectNode params) throws Exception {
        return c.request(method, params).get(30, TimeUnit.SECONDS);
    }

    private static ObjectNode id(String id) {
        return Json.mapper().createObjectNode().put("id", id);
    }

    private static RpcException error(AgentwireClient c, String method, ObjectNode params) throws Exception {
        try {
            call(c, method, params);
        } catch (ExecutionException e) {
            return (RpcException) e.getCause();
        }
        throw new AssertionError(method + " did not fail");
    }

    @Test
    void aTerminalOfHubAIsListedAndDrivenFromHubB() throws Exception {
        AgentwireClient onA = cluster.connect(cluster.hubs().get(0));
        AgentwireClient onB = cluster.connect(cluster.hubs().get(1));
        ObjectNode spawn = Json.mapper().createObjectNode();
        spawn.putArray("command").add("bash").add("--norc").add("--noprofile");
        spawn.putObject("env").put("PS1", "$ ").put("TERM", "xterm-256color");
        spawn.put("cols", 80).put("rows", 24).put("name", "far");
        String t = call(onA, "terminals/spawn", spawn).path("id").asText();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<String> onBList = new ArrayList<>();
            call(onB, "terminals/list", Json.mapper().createObjectNode())
                    .path("terminals")
                    .forEach(x -> onBList.add(
                            x.path("id").asText() + "@" + x.path("hub").asText()));
            assertThat(onBList).contains(t + "@hub-a");
        });

        ObjectNode prompt = id(t).put("pattern", "(?m)^\\$").put("timeoutMs", 20_000);
        call(onB, "terminals/wait", prompt);
        call(onB, "terminals/input", id(t).put("text", "echo from-$((40+2))\n"));
        JsonNode matched =
                call(onB, "terminals/wait", id(t).put("pattern", "from-42").put("timeoutMs", 20_000));
        assertThat(matched.toString()).contains("from-42");
        List<String> lines = new ArrayList<>();
        call(onB, "terminals/read", id(t)).path("lines").forEach(l -> lines.add(l.asText()));
        assertThat(lines).contains("from-42");

        assertThat(call(onB, "terminals/resize", id(t).put("cols", 100).put("rows", 30))
                        .path("cols")
                        .asInt())
                .isEqualTo(100);
        assertThat(call(onA, "terminals/read", id(t)).path("cols").asInt())
                .as("resized on hub A, where it runs")
                .isEqualTo(100);
        call(onB, "terminals/title", id(t).put("title", "renamed from B"));
        assertThat(call(onA, "terminals/list", Json.mapper().createObjectNode()).toString())
                .contains("renamed from B");
        call(onB, "terminals/key", id(t).put("key", "C-c"));

        // Bad input crosses hubs as it would locally: a wait that times out, a key that does not exist.
        assertThat(error(
                                onB,
                                "terminals/wait",
                                id(t).put("pattern", "never-printed-xyz").put("timeoutMs", 300))
                        .code())
                .isEqualTo(-32001);
        assertThat(error(onB, "terminals/key", id(t).put("key", "no-such-key")).code())
                .isEqualTo(-32602);
        assertThat(error(
                                onB,
                                "terminals/input",
                                id("0123456789abcdef0123456789abcdef").put("text", "x"))
                        .code())
                .as("a terminal no hub has")
                .isEqualTo(-32007);

        // A terminal on each hub: each hub lists both (a list asked by another hub is answered there, not passed on:
        // passed on, the two hubs asked each other without end and every list timed out without the other's).
        ObjectNode onBSpawn = Json.mapper().createObjectNode();
        onBSpawn.putArray("command").add("sleep").add("30");
        String u = call(onB, "terminals/spawn", onBSpawn).path("id").asText();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            String fromA = call(onA, "terminals/list", Json.mapper().createObjectNode())
                    .toString();
            String fromB = call(onB, "terminals/list", Json.mapper().createObjectNode())
                    .toString();
            assertThat(fromA).contains(t).contains(u);
            assertThat(fromB).contains(t).contains(u);
        });
        call(onA, "terminals/kill", id(u).put("signal", 9));

        call(onB, "terminals/kill", id(t).put("signal", 9));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> call(onA, "terminals/list", Json.mapper().createObjectNode())
                        .toString()
                        .contains("\"exited\""));
    }
}
