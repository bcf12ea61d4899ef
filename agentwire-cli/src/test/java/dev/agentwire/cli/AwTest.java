package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code aw} against real hubs: in-process for status and ping, a real process for {@code aw hub}. */
class AwTest {

    private Path dir;
    private AgentwireHub hub;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "awcli");
        hub = AgentwireHub.builder()
                .home(dir.resolve("home"))
                .set("clientPort", "0")
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void statusPrintsTheHubAndItsSocket() throws Exception {
        AwRunner.Result r = aw("status", "--connect", hub.endpoint());
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("agentwire hub")
                .contains("pid " + ProcessHandle.current().pid())
                .contains(hub.config().socketPath().toString());
        AwRunner.Result json = aw("status", "--json", "--connect", hub.endpoint());
        JsonNode s = Json.mapper().readTree(json.out());
        assertThat(s.path("sockets").path("hub").asText())
                .isEqualTo(hub.config().socketPath().toString());
    }

    @Test
    void pingPrintsRoundTrips() throws Exception {
        AwRunner.Result r = aw("ping", "-n", "3", "--connect", hub.endpoint());
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("reply "))).hasSize(3);
        assertThat(r.out()).contains("rtt min/avg/p50/p99/max");
        JsonNode j = Json.mapper()
                .readTree(aw("ping", "-n", "4", "--json", "--connect", hub.endpoint())
                        .out());
        assertThat(j.path("count").asInt()).isEqualTo(4);
        assertThat(j.path("rttMicros")).hasSize(4);
        assertThat(j.path("p50Micros").asDouble()).isPositive();
    }

    @Test
    void pingOverTcpWithTheToken() {
        AwRunner.Result r = aw(
                "ping",
                "-n",
                "1",
                "--connect",
                "tcp://127.0.0.1:" + hub.tcpPort().getAsInt(),
                "--token",
                hub.token());
        assertThat(r.code()).isZero();
        AwRunner.Result bad = aw(
                "ping",
                "-n",
                "1",
                "--connect",
                "tcp://127.0.0.1:" + hub.tcpPort().getAsInt(),
                "--token",
                "x");
        assertThat(bad.code()).isEqualTo(ExitCodes.REFUSED);
        assertThat(bad.err()).contains("not valid");
    }

    @Test
    void noHubHasItsOwnExitCodeAndMessage() {
        Path missing = dir.resolve("nothing.sock");
        AwRunner.Result r = aw("status", "--connect", "unix:" + missing);
        assertThat(r.code()).isEqualTo(ExitCodes.NO_HUB);
        assertThat(r.err()).contains("no hub at " + missing + " (start one with: aw hub)");
        assertThat(aw("ping", "--connect", "unix:@no-such-hub-" + System.nanoTime())
                        .code())
                .isEqualTo(ExitCodes.NO_HUB);
    }

    @Test
    void badArgumentsAreUsageErrorsAndHelpWorksEverywhere() {
        assertThat(aw("ping", "-n", "0", "--connect", hub.endpoint()).code()).isEqualTo(ExitCodes.USAGE);
        assertThat(aw("ping", "--count", "many").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(aw("frobnicate").code()).isEqualTo(ExitCodes.USAGE);
        for (String cmd : List.of("hub", "status", "ping")) {
            AwRunner.Result help = aw(cmd, "--help");
            assertThat(help.code()).isZero();
            assertThat(help.out()).contains("Usage: aw " + cmd);
        }
        assertThat(aw("--help").out()).contains("Exit codes").contains("3").contains("no hub");
        assertThat(aw("--version").out()).startsWith("aw ");
    }

    @Test
    void hubRefusesABadConfigNamingKeyAndValue() {
        AwRunner.Result r = aw("hub", "--home", dir.resolve("h2").toString(), "--set", "server.socket.mode=9");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("server.socket.mode").contains("'9'");
        AwRunner.Result unknown = aw("hub", "--home", dir.resolve("h2").toString(), "--set", "nope=1");
        assertThat(unknown.err()).contains("unknown config key nope");
    }

    @Test
    void clusterSaysAHubWithoutRedisIsAlone() throws Exception {
        AwRunner.Result r = aw("cluster", "--connect", hub.endpoint());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("this hub is alone");
        AwRunner.Result json = aw("cluster", "--json", "--connect", hub.endpoint());
        assertThat(dev.agentwire.protocol.Json.mapper()
                        .readTree(json.out())
                        .path("enabled")
                        .isBoolean())
                .isTrue();
        assertThat(json.out()).contains("false");
    }

    @Test
    void statusAndClusterSayAHubWhoseRedisIsAwayIsDegraded() throws Exception {
        int nobody;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            nobody = s.getLocalPort();
        }
        try (AgentwireHub alone = AgentwireHub.builder()
                .home(dir.resolve("degraded"))
                .set("clientPort", "-1")
                .set("cluster.redis", "redis://127.0.0.1:" + nobody)
                .set("cluster.hubId", "hub-away")
                .set("cluster.required", "false")
                .build()
                .start()) {
            AwRunner.Result status = aw("status", "--connect", alone.endpoint());
            assertThat(status.code()).isZero();
            assertThat(status.out())
                    .contains("cluster      hub hub-away on redis://127.0.0.1:" + nobody + ": degraded")
                    .contains("not reachable");
            AwRunner.Result cluster = aw("cluster", "--connect", alone.endpoint());
            assertThat(cluster.code()).isZero();
            assertThat(cluster.out())
                    .contains("this hub hub-away: degraded")
                    .contains("redis redis://127.0.0.1:" + nobody + ": down");
        }
    }

    @Test
    void hubWithARedisThatIsNotThereStopsNamingIt() throws Exception {
        int nobody;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            nobody = s.getLocalPort();
        }
        AwRunner.Result r = aw(
                "hub",
                "--home",
                dir.resolve("h3").toString(),
                "--redis",
                "redis://127.0.0.1:" + nobody,
                "--port",
                "-1");
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err())
                .contains("cluster.redis redis://127.0.0.1:" + nobody)
                .contains("not reachable");
        AwRunner.Result bad = aw("hub", "--home", dir.resolve("h3").toString(), "--redis", "http://x", "--port", "-1");
        assertThat(bad.err()).contains("cluster.redis http://x").contains("redis://host:port");
    }

    @Test
    void awHubRunsAsAProcessRefusesASecondAndStopsCleanlyOnSigterm() throws Exception {
        Path home = dir.resolve("proc");
        Process p = startAwHub(home);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).startsWith("agentwire hub listening on " + home.resolve("hub.sock"));
            assertThat(loginLogLine(p))
                    .as("a login link for a browser, as Jupyter prints one")
                    .containsPattern("(?m)http://127\\.0\\.0\\.1:[0-9]+/login\\?code=[A-Za-z0-9_-]{43}&next=/$"); // the
            // dashboard
            AwRunner.Result status = aw("status", "--json", "--connect", "unix:" + home.resolve("hub.sock"));
            assertThat(Json.mapper().readTree(status.out()).path("pid").asLong())
                    .isEqualTo(p.pid());
            Process second = startAwHub(home);
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).isEqualTo(ExitCodes.ERROR);
            String err = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(err).contains("already running (pid " + p.pid() + ", socket " + home.resolve("hub.sock") + ")");
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(home.resolve("hub.sock")).doesNotExist();
            assertThat(home.resolve("hub.json")).doesNotExist();
        } finally {
            p.destroyForcibly();
        }
    }

    /** The hub's log line with the login link (its log goes to stderr), read on a thread of its own. */
    private static String loginLogLine(Process p) throws InterruptedException {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader =
                new Thread(() -> new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))
                        .lines()
                        .forEach(lines::add));
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String l = lines.poll(1, TimeUnit.SECONDS);
            if (l != null && l.contains("/login?code=")) {
                return l;
            }
        }
        return "(no login line in the hub's log within 30 s)";
    }

    private static Process startAwHub(Path home) throws Exception {
        return new ProcessBuilder(AwRunner.processCommand("hub", "--home", home.toString(), "--port", "0")).start();
    }

    @Test
    void tokenCreatePrintsAJwtThatOpensTheTcpPort() throws Exception {
        AwRunner.Result minted = aw(
                "token",
                "create",
                "--sub",
                "ci",
                "--scope",
                "rooms:read:*",
                "--ttl",
                "10m",
                "--json",
                "--connect",
                hub.endpoint());
        assertThat(minted.code()).isZero();
        JsonNode m = Json.mapper().readTree(minted.out());
        assertThat(m.path("token").asText().split("\\.")).hasSize(3);
        AwRunner.Result ping = aw(
                "ping",
                "-n",
                "1",
                "--connect",
                "tcp://127.0.0.1:" + hub.tcpPort().getAsInt(),
                "--token",
                m.path("token").asText());
        assertThat(ping.code()).isZero();
        assertThat(aw("token", "revoke", m.path("jti").asText(), "--connect", hub.endpoint())
                        .out())
                .contains("revoked");
        assertThat(aw(
                                "ping",
                                "-n",
                                "1",
                                "--connect",
                                "tcp://127.0.0.1:" + hub.tcpPort().getAsInt(),
                                "--token",
                                m.path("token").asText())
                        .code())
                .isEqualTo(ExitCodes.REFUSED);
        assertThat(aw("token", "create", "--connect", hub.endpoint()).code())
                .as("--sub is required")
                .isEqualTo(ExitCodes.USAGE);
    }
}
