package dev.agentwire.server.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.RpcException;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.RawConnection;
import dev.agentwire.server.testing.TestHubs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator seed's per-agent socket: a Python script on {@code agents/naming.sock} serving
 * {@code allocate_namespace}, called from the Java client, from {@code nc -U} with the seed's JSON, and from
 * {@code curl} over HTTP.
 */
class AgentSocketsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> open = new ArrayList<>();
    private AgentwireHub hub;
    private Path naming;
    private Process agent;

    @BeforeEach
    void start() throws Exception {
        hub = TestHubs.start(
                TestHubs.shortTempDir(),
                b -> b.set("services.sockets", "naming").set("limits.ratePerSecond", "0"));
        open.add(hub);
        naming = hub.config().home().resolve("agents/naming.sock");
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Starts the Python naming agent on the socket and waits until the hub counts it as an instance. */
    private void startPythonAgent() throws Exception {
        assumeTrue(runs("python3", "--version"), "needs python3 (CI installs it)");
        Path script = Files.createTempFile("naming_agent", ".py");
        try (InputStream in = getClass().getResourceAsStream("/agents/naming_agent.py")) {
            Files.write(script, in.readAllBytes());
        }
        agent = new ProcessBuilder("python3", script.toString(), naming.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        await().atMost(WAIT)
                .until(() -> hub.core().require(ServiceRelay.class).registry().instanceCount() == 1);
    }

    private static String run(String stdin, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS))
                .as("%s finishes", command[0])
                .isTrue();
        return out;
    }

    @Test
    void theSocketIsTheOwnersAlone() throws Exception {
        assertThat(Files.getPosixFilePermissions(naming)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(naming.getParent()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        JsonNode agents = hub.core().status().path("sockets").path("agents");
        assertThat(agents.get(0).path("service").asText()).isEqualTo("naming");
        hub.close();
        assertThat(naming).doesNotExist();
    }

    @Test
    void aPythonAgentServesTheJavaClient() throws Exception {
        startPythonAgent();
        AgentwireClient c = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .reconnect(false)
                .connect();
        open.add(c);
        JsonNode a = c.services()
                .request(
                        "naming",
                        "allocate_namespace",
                        Json.mapper().readTree("{\"environment\":\"test\",\"project\":\"centerfire\"}"))
                .get(10, TimeUnit.SECONDS);
        assertThat(a.path("namespace").asText()).isEqualTo("centerfire.test.ns1");
        assertThat(a.path("cid").asText()).isEqualTo("cid:centerfire:test:ns1");
        // The seed's error envelope reaches a JSON-RPC caller as -32000 with the service's code.
        c.services()
                .request("naming", "allocate_namespace", Json.mapper().readTree("{\"name\":\"taken\"}"))
                .get(10, TimeUnit.SECONDS);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class,
                () -> c.services()
                        .request("naming", "allocate_namespace", Json.mapper().readTree("{\"name\":\"taken\"}"))
                        .get(10, TimeUnit.SECONDS));
        RpcException rpc = (RpcException) e.getCause();
        assertThat(rpc.code()).isEqualTo(-32000);
        assertThat(rpc.reason()).isEqualTo("NAMESPACE_COLLISION");
        assertThat(rpc.data().path("details").path("existing_namespace").asText())
                .isEqualTo("taken");
    }

    @Test
    void ncWithTheSeedsJsonGetsTheEnvelope() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/nc")), "needs nc (netcat-openbsd; CI installs it)");
        startPythonAgent();
        // The seed's own test line: no id, no data object (the other fields are the data).
        String out = run(
                "{\"action\": \"allocate_namespace\", \"environment\": \"test\"}\n",
                "/usr/bin/nc",
                "-N",
                "-U",
                naming.toString());
        JsonNode a = Json.mapper().readTree(out.trim());
        assertThat(a.path("status").asText()).isEqualTo("success");
        assertThat(a.path("data").path("namespace").asText()).isEqualTo("default.test.ns1");
        assertThat(a.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(a.path("processing_time_ms").isIntegralNumber()).isTrue();
        // The seed's full request form: the id comes back as it was sent.
        out = run(
                "{\"id\":\"req_123\",\"interface\":\"claude-code\",\"agent\":\"naming\",\"action\":\"allocate_namespace\","
                        + "\"data\":{\"environment\":\"test\",\"project\":\"centerfire\",\"priority\":\"high\"}}\n",
                "/usr/bin/nc",
                "-N",
                "-U",
                naming.toString());
        a = Json.mapper().readTree(out.trim());
        assertThat(a.path("id").asText()).isEqualTo("req_123");
        assertThat(a.path("data").path("namespace").asText()).isEqualTo("centerfire.test.ns2");
        // Exactly the seed's command, without -N: OpenBSD nc keeps the connection open after its input ends,
        // but the answer is printed at once.
        Process nc = new ProcessBuilder("/usr/bin/nc", "-U", naming.toString())
                .redirectErrorStream(true)
                .start();
        try {
            nc.getOutputStream()
                    .write("{\"action\": \"allocate_namespace\", \"environment\": \"test\"}\n"
                            .getBytes(StandardCharsets.UTF_8));
            nc.getOutputStream().close();
            String line = new java.io.BufferedReader(
                            new java.io.InputStreamReader(nc.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(Json.mapper()
                            .readTree(line)
                            .path("data")
                            .path("namespace")
                            .asText())
                    .isEqualTo("default.test.ns3");
        } finally {
            nc.destroy();
            nc.waitFor(10, TimeUnit.SECONDS);
        }
        // The agent still serves: a caller on its socket did not take its place.
        assertThat(hub.core().require(ServiceRelay.class).registry().instanceCount())
                .isEqualTo(1);
    }

    @Test
    void curlOverHttpGetsTheEnvelopeWithMatchingStatuses() throws Exception {
        assumeTrue(runs("curl", "--version"), "needs curl (CI installs it)");
        startPythonAgent();
        String base = "http://127.0.0.1:" + hub.tcpPort().getAsInt();
        String out = run(
                "{\"environment\":\"test\",\"project\":\"centerfire\"}",
                "curl",
                "-s",
                "-w",
                "\\n%{http_code}",
                "-H",
                "Authorization: Bearer " + hub.token(),
                "-H",
                "X-Request-Id: req_7",
                "--data-binary",
                "@-",
                base + "/api/services/naming/allocate_namespace");
        List<String> lines = out.lines().toList();
        assertThat(lines.get(1)).isEqualTo("200");
        JsonNode a = Json.mapper().readTree(lines.get(0));
        assertThat(a.path("id").asText()).isEqualTo("req_7");
        assertThat(a.path("status").asText()).isEqualTo("success");
        assertThat(a.path("data").path("namespace").asText()).isEqualTo("centerfire.test.ns1");
        assertThat(a.path("processing_time_ms").isIntegralNumber()).isTrue();
        for (int i = 0; i < 2; i++) {
            out = run(
                    "{\"name\":\"dup\"}",
                    "curl",
                    "-s",
                    "-w",
                    "\\n%{http_code}",
                    "-H",
                    "Authorization: Bearer " + hub.token(),
                    "--data-binary",
                    "@-",
                    base + "/api/services/naming/allocate_namespace");
        }
        lines = out.lines().toList();
        assertThat(lines.get(1))
                .as("the seed's NAMESPACE_COLLISION is a conflict")
                .isEqualTo("409");
        a = Json.mapper().readTree(lines.get(0));
        assertThat(a.path("status").asText()).isEqualTo("error");
        assertThat(a.path("error").path("code").asText()).isEqualTo("NAMESPACE_COLLISION");
        assertThat(a.path("error").path("message").asText()).isEqualTo("Namespace already exists");
        assertThat(a.path("error").path("details").path("existing_namespace").asText())
                .isEqualTo("dup");
    }

    @Test
    void aMalformedEnvelopeGetsAnErrorLineAndTheConnectionGoesOn() throws Exception {
        startPythonAgent();
        try (RawConnection raw = RawConnection.unix(naming)) {
            raw.sendLine("this is not json");
            JsonNode e = raw.readJson();
            assertThat(e.path("status").asText()).isEqualTo("error");
            assertThat(e.path("error").path("code").asText()).isEqualTo("INVALID_ENVELOPE");
            assertThat(e.path("error").path("message").asText()).startsWith("not JSON");
            raw.sendLine("{\"id\":\"x1\",\"hello\":1}");
            e = raw.readJson();
            assertThat(e.path("id").asText()).isEqualTo("x1");
            assertThat(e.path("error").path("message").asText()).contains("neither \"action\" nor \"status\"");
            raw.sendLine("{\"id\":\"x2\",\"agent\":\"struct\",\"action\":\"x\"}");
            e = raw.readJson();
            assertThat(e.path("error").path("code").asText()).isEqualTo("WRONG_AGENT");
            assertThat(e.path("error").path("message").asText()).contains("agents/struct.sock");
            raw.sendLine("{\"id\":\"x3\",\"action\":\"allocate_namespace\",\"data\":{\"environment\":\"e\"}}");
            e = raw.readJson();
            assertThat(e.path("id").asText()).isEqualTo("x3");
            assertThat(e.path("status").asText()).isEqualTo("success");
        }
    }

    @Test
    void anInstanceOnTheSocketGetsEnvelopesAndAnUnknownIdIsIgnored() throws Exception {
        try (RawConnection instance = RawConnection.unix(naming)) {
            await().atMost(WAIT)
                    .until(() ->
                            hub.core().require(ServiceRelay.class).registry().instanceCount() == 1);
            AgentwireClient c = AgentwireClient.builder()
                    .endpoint(hub.endpoint())
                    .name("caller")
                    .reconnect(false)
                    .connect();
            open.add(c);
            var answer = c.services().request("naming", "lookup", Json.mapper().readTree("{\"k\":1}"));
            JsonNode req = instance.readJson();
            assertThat(req.path("agent").asText()).isEqualTo("naming");
            assertThat(req.path("action").asText()).isEqualTo("lookup");
            assertThat(req.path("data").path("k").asInt()).isEqualTo(1);
            assertThat(req.path("interface").asText()).isEqualTo("unix");
            instance.sendLine("{\"id\":\"424242\",\"status\":\"success\",\"data\":{\"forged\":true}}");
            instance.sendLine("{\"id\":" + req.path("id") + ",\"status\":\"success\",\"data\":{\"v\":2}}");
            assertThat(answer.get(10, TimeUnit.SECONDS).path("v").asInt()).isEqualTo(2);
            assertThat(hub.core().connections().stream()
                            .mapToLong(x -> x.requests().unmatchedReplies())
                            .sum())
                    .isEqualTo(1);
        }
    }

    @Test
    void socketsAreOpenedOnDemand() throws Exception {
        try (RawConnection raw = RawConnection.unix(hub.config().socketPath())) {
            raw.request(1, "services/socket", "{\"name\":\"struct\"}");
            JsonNode r = raw.readJson().path("result");
            assertThat(r.path("path").asText()).endsWith("agents/struct.sock");
            assertThat(Path.of(r.path("path").asText())).exists();
            raw.request(2, "services/socket", "{\"name\":\"../escape\"}");
            JsonNode e = raw.readJson().path("error");
            assertThat(e.path("code").asInt()).isEqualTo(-32602);
            assertThat(e.path("message").asText()).contains("../escape");
        }
    }
}
