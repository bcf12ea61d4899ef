package dev.agentwire.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RedisProcess;
import dev.agentwire.server.testing.TestHubs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator seed's Redis dual mode (docs/CLUSTER.md, "Redis agents"): agents written with only a Redis client
 * (redis-py, no agentwire code) serve services beside socket agents, reached from the Java client, from
 * {@code nc -U agents/naming.sock} and from curl, with the seed's errors mapped as for socket agents.
 */
class RedisAgentsTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    static Path dir;
    static RedisProcess redis;
    static AgentwireHub hub;
    static AgentwireClient client;
    static final List<Process> agents = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        RedisProcess.assumeInstalled();
        assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 is not installed");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import redis").start();
        assumeTrue(probe.waitFor() == 0, "redis-py is not installed (apt-get install python3-redis)");
        dir = TestHubs.shortTempDir();
        redis = RedisProcess.start(dir.resolve("redis"));
        Path script = dir.resolve("redis_agent.py");
        try (var in = RedisAgentsTest.class.getResourceAsStream("redis_agent.py")) {
            Files.write(script, in.readAllBytes());
        }
        agent(script, "list", "agentwire:agent:naming:requests");
        agent(script, "pubsub", "legacy:channel");
        hub = TestHubs.start(
                dir,
                b -> b.set("cluster.redis", redis.uri())
                        .set("cluster.hubId", "hub-a")
                        .set("services.redis", "naming,legacy:pubsub:legacy:channel")
                        .set("services.sockets", "naming"));
        client = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .requestTimeout(Duration.ofSeconds(30))
                .connect();
    }

    private static void agent(Path script, String mode, String key) throws Exception {
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), Integer.toString(redis.port()), mode, key)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        agents.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("the %s agent started", mode).isEqualTo("ready");
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (hub != null) {
            hub.close();
        }
        for (Process p : agents) {
            p.destroyForcibly().waitFor();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static JsonNode of(String value) {
        return Json.mapper().createObjectNode().put("of", value);
    }

    @Test
    void aListAgentAnswersTheJavaClientAndItsErrorsKeepTheSeedsCode() throws Exception {
        JsonNode answer =
                client.services().request("naming", "suggest", of("billing")).get(30, TimeUnit.SECONDS);

        assertThat(answer.path("name").asText()).isEqualTo("billing-svc");
        assertThatThrownBy(() -> client.services()
                        .request("naming", "suggest", of("taken"))
                        .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.code()).isEqualTo(-32000);
                    assertThat(e.getMessage()).contains("taken is taken");
                    assertThat(e.data().path("reason").asText()).isEqualTo("NAMESPACE_COLLISION");
                });
    }

    @Test
    void aPubSubAgentAnswersToo() throws Exception {
        JsonNode answer =
                client.services().request("legacy", "suggest", of("old")).get(30, TimeUnit.SECONDS);

        assertThat(answer.path("name").asText()).isEqualTo("old-svc");
    }

    @Test
    void redisAgentsAreListedAsInstances() throws Exception {
        JsonNode list = client.services().list().get(30, TimeUnit.SECONDS);

        assertThat(list.path("services").findValuesAsText("name")).contains("naming", "legacy");
        assertThat(list.path("services").findValuesAsText("identity")).contains("redis");
    }

    @Test
    void theAgentSocketAndCurlReachARedisAgent() throws Exception {
        Path socket = dir.resolve("home").resolve("agents").resolve("naming.sock");
        Process nc = new ProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "echo '{\"id\":\"7\",\"interface\":\"shell\",\"action\":\"suggest\",\"data\":{\"of\":\"nc\"}}'"
                                + " | nc -U " + socket)
                .redirectErrorStream(true)
                .start();
        // nc keeps the socket open after its input ends, as the seed's example does: read the answer's line.
        String line = new BufferedReader(new InputStreamReader(nc.getInputStream(), StandardCharsets.UTF_8)).readLine();
        nc.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        JsonNode viaNc = Json.mapper().readTree(line);
        assertThat(viaNc.path("status").asText()).isEqualTo("success");
        assertThat(viaNc.path("data").path("name").asText()).isEqualTo("nc-svc");
        assertThat(viaNc.path("data").path("interface").asText())
                .as("the caller's interface reached the agent")
                .isEqualTo("shell");

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> ok = http.send(
                post("/api/services/naming/suggest", "{\"of\":\"curl\"}"), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("curl-svc");
        HttpResponse<String> collision = http.send(
                post("/api/services/naming/suggest", "{\"of\":\"taken\"}"), HttpResponse.BodyHandlers.ofString());
        assertThat(collision.statusCode()).as("NAMESPACE_COLLISION").isEqualTo(409);
    }

    @Test
    void anAgentThatAnswersGarbageOrNothingTimesOutAndTheHubGoesOn() throws Exception {
        for (String action : List.of("garbage", "silent")) {
            assertThatThrownBy(() -> client.services()
                            .request("naming", action, of("x"), Duration.ofMillis(500))
                            .get(30, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOfSatisfying(
                            RpcException.class, e -> assertThat(e.code()).isEqualTo(-32001));
        }
        assertThat(client.services()
                        .request("naming", "suggest", of("after"))
                        .get(30, TimeUnit.SECONDS)
                        .path("name")
                        .asText())
                .isEqualTo("after-svc");
    }

    /** What the Redis-only caller prints: the answer envelope it popped. */
    private static JsonNode callFromRedis(String service, String request) throws Exception {
        Path script = dir.resolve("redis_caller.py");
        if (!Files.exists(script)) {
            try (var in = RedisAgentsTest.class.getResourceAsStream("redis_caller.py")) {
                Files.write(script, in.readAllBytes());
            }
        }
        Process p = new ProcessBuilder(
                        PYTHON.toString(), script.toString(), Integer.toString(redis.port()), service, request)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return Json.mapper().readTree(out);
    }

    @Test
    void aCallerWithOnlyARedisClientReachesASocketServiceAndARedisAgent() throws Exception {
        try (AgentwireClient instance =
                AgentwireClient.builder().endpoint(hub.endpoint()).connect()) {
            instance.services()
                    .serve(
                            "upper",
                            (request, ctx) -> java.util.concurrent.CompletableFuture.completedFuture(Json.mapper()
                                    .createObjectNode()
                                    .put(
                                            "text",
                                            request.data().path("text").asText().toUpperCase())
                                    .put(
                                            "from",
                                            request.from().path("interface").asText())))
                    .get(30, TimeUnit.SECONDS);

            JsonNode viaRedis =
                    callFromRedis("upper", "{\"id\":\"r1\",\"action\":\"shout\",\"data\":{\"text\":\"hi\"}}");

            assertThat(viaRedis.path("id").asText()).isEqualTo("r1");
            assertThat(viaRedis.path("status").asText()).as(viaRedis.toString()).isEqualTo("success");
            assertThat(viaRedis.path("data").path("text").asText()).isEqualTo("HI");
            assertThat(viaRedis.path("data").path("from").asText()).isEqualTo("redis");
            assertThat(viaRedis.has("processing_time_ms")).isTrue();
        }
        JsonNode toAgent = callFromRedis("naming", "{\"id\":2,\"action\":\"suggest\",\"data\":{\"of\":\"both\"}}");
        assertThat(toAgent.path("data").path("name").asText())
                .as("Redis in, Redis out")
                .isEqualTo("both-svc");
        JsonNode collision = callFromRedis("naming", "{\"id\":3,\"action\":\"suggest\",\"data\":{\"of\":\"taken\"}}");
        assertThat(collision.path("status").asText()).isEqualTo("error");
        assertThat(collision.path("error").path("code").asText()).isEqualTo("NAMESPACE_COLLISION");
    }

    @Test
    void aRedisCallerWithABadEnvelopeGetsAnErrorEnvelope() throws Exception {
        JsonNode bad = callFromRedis("naming", "{\"id\":\"b1\",\"data\":{}}");

        assertThat(bad.path("status").asText()).isEqualTo("error");
        assertThat(bad.path("error").path("code").asText()).isEqualTo("INVALID_ENVELOPE");
        assertThat(bad.path("id").asText()).isEqualTo("b1");
    }

    private static HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + hub.tcpPort().getAsInt() + path))
                .header("Authorization", "Bearer " + hub.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
