package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.ToolSpec;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** aw calls and aw replay against a real hub whose provider can change its answers. */
class CallLogCommandsTest {

    private Path dir;
    private AgentwireHub hub;
    private AgentwireClient provider;
    private AgentwireClient caller;
    private final AtomicReference<String> weather = new AtomicReference<>("sunny");

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "awcalls");
        hub = AgentwireHub.builder()
                .home(dir.resolve("home"))
                .set("clientPort", "0")
                .build()
                .start();
        provider = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name("provider")
                .connect();
        JsonNode schema = Json.mapper().readTree("{\"type\":\"object\"}");
        provider.tools()
                .register(
                        new ToolSpec("add", "adds", schema),
                        (a, ctx) -> CompletableFuture.completedFuture(Json.mapper()
                                .getNodeFactory()
                                .textNode(Integer.toString(
                                        a.path("a").asInt() + a.path("b").asInt()))))
                .get(10, TimeUnit.SECONDS);
        provider.tools()
                .register(
                        new ToolSpec("weather", "today's weather", schema),
                        (a, ctx) -> CompletableFuture.completedFuture(
                                Json.mapper().getNodeFactory().textNode(weather.get())))
                .get(10, TimeUnit.SECONDS);
        caller = AgentwireClient.builder()
                .endpoint(hub.endpoint())
                .name("recorder")
                .connect();
    }

    @AfterEach
    void stop() {
        caller.close();
        provider.close();
        hub.close();
    }

    private void awaitRecorded(int n) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> caller.request("calls/list", Json.mapper().readTree("{}"))
                                .get(10, TimeUnit.SECONDS)
                                .path("calls")
                                .size()
                        == n);
    }

    @Test
    void callsListsTheLogAsATableOrJsonAndRefusesBadFilters() throws Exception {
        caller.tools().call("add", Json.mapper().readTree("{\"a\":2,\"b\":3}")).get(10, TimeUnit.SECONDS);
        caller.tools()
                .call("weather", Json.mapper().readTree("{\"city\":\"Oslo\",\"apiKey\":\"k-1\"}"))
                .get(10, TimeUnit.SECONDS);
        awaitRecorded(2);
        AwRunner.Result table = aw("calls", "--connect", hub.endpoint());
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out())
                .contains("TARGET")
                .contains("add")
                .contains("weather")
                .contains("recorder");
        assertThat(table.out()).contains("(redacted)").doesNotContain("k-1");
        AwRunner.Result only = aw("calls", "--tool", "add", "--since", "10m", "--json", "--connect", hub.endpoint());
        assertThat(only.code()).isZero();
        JsonNode calls = Json.mapper().readTree(only.out()).path("calls");
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).path("arguments").path("b").asInt()).isEqualTo(3);
        assertThat(aw("calls", "--limit", "1", "--json", "--connect", hub.endpoint())
                        .out())
                .contains("weather")
                .doesNotContain("\"add\"");

        // A tool name with an escape sequence in it (a failed call is recorded too) is not played on the terminal.
        caller.tools()
                .call("x\u001b]0;pwned\u0007y", Json.mapper().createObjectNode())
                .handle((r, e) -> null)
                .get(10, TimeUnit.SECONDS);
        awaitRecorded(3);
        AwRunner.Result escaped = aw("calls", "--connect", hub.endpoint());
        assertThat(escaped.out())
                .doesNotContain("\u001b")
                .doesNotContain("\u0007")
                .contains("x?]0;pwned?y");

        AwRunner.Result badSince = aw("calls", "--since", "soon", "--connect", hub.endpoint());
        assertThat(badSince.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(badSince.err()).contains("since must be a duration");
        for (String limit : new String[] {"-1", "0", "5000"}) {
            AwRunner.Result bad = aw("calls", "--limit", limit, "--connect", hub.endpoint());
            assertThat(bad.code()).as(limit).isEqualTo(ExitCodes.USAGE);
            assertThat(bad.err()).contains("--limit must be from 1 to 1000");
        }
    }

    @Test
    void replayReportsUnchangedAndChangedAnswersWithTheirExitCodes() throws Exception {
        caller.tools().call("add", Json.mapper().readTree("{\"a\":2,\"b\":3}")).get(10, TimeUnit.SECONDS);
        caller.tools()
                .call("weather", Json.mapper().readTree("{\"city\":\"Oslo\"}"))
                .get(10, TimeUnit.SECONDS);
        awaitRecorded(2);

        AwRunner.Result same = aw("replay", "--from-log", "tool=add", "--connect", hub.endpoint());
        assertThat(same.code()).as(same.out() + same.err()).isZero();
        assertThat(same.out()).contains("add").contains("unchanged").contains("1 unchanged, 0 changed");

        AwRunner.Result stillSunny = aw(
                "replay", "--from-log", "tool=weather,since=10m", "--against", "default", "--connect", hub.endpoint());
        assertThat(stillSunny.code()).as(stillSunny.out() + stillSunny.err()).isZero();

        weather.set("rain");
        AwRunner.Result changed =
                aw("replay", "--from-log", "tool=weather,limit=1", "--json", "--connect", hub.endpoint());
        assertThat(changed.code()).isEqualTo(ExitCodes.ERROR);
        JsonNode report = Json.mapper().readTree(changed.out());
        assertThat(report.path("changed").asInt()).isEqualTo(1);
        assertThat(report.path("calls").get(0).path("outcome").asText()).isEqualTo("changed");
        assertThat(report.path("calls").get(0).path("target").asText()).isEqualTo("weather");

        // The provider gone: the replay fails, and says so.
        provider.tools().unregister("add").get(10, TimeUnit.SECONDS);
        AwRunner.Result gone = aw("replay", "--from-log", "tool=add,limit=1", "--connect", hub.endpoint());
        assertThat(gone.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(gone.out()).contains("failed").contains("no live provider for tool add");
    }

    @Test
    void replayRefusesRedactedCallsAndBadFilters() throws Exception {
        caller.tools()
                .call("weather", Json.mapper().readTree("{\"city\":\"Oslo\",\"token\":\"t-1\"}"))
                .get(10, TimeUnit.SECONDS);
        awaitRecorded(1);
        long id = caller.request("calls/list", Json.mapper().readTree("{}"))
                .get(10, TimeUnit.SECONDS)
                .path("calls")
                .get(0)
                .path("id")
                .asLong();
        AwRunner.Result refused = aw("replay", "--from-log", "id=" + id, "--connect", hub.endpoint());
        assertThat(refused.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(refused.out()).contains("refused").contains("--allow-redacted");
        AwRunner.Result allowed =
                aw("replay", "--from-log", "id=" + id, "--allow-redacted", "--connect", hub.endpoint());
        assertThat(allowed.code()).as(allowed.out() + allowed.err()).isZero();
        assertThat(allowed.out()).contains("unchanged");

        AwRunner.Result unknown = aw("replay", "--from-log", "colour=red", "--connect", hub.endpoint());
        assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("unknown filter key 'colour'").contains("tool");
        AwRunner.Result notPair = aw("replay", "--from-log", "tool", "--connect", hub.endpoint());
        assertThat(notPair.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(notPair.err()).contains("is not KEY=VALUE");
        AwRunner.Result badId = aw("replay", "--from-log", "id=first", "--connect", hub.endpoint());
        assertThat(badId.code()).isEqualTo(ExitCodes.USAGE);
        AwRunner.Result badSince = aw("replay", "--from-log", "since=yesterday", "--connect", hub.endpoint());
        assertThat(badSince.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(badSince.err()).contains("since must be a duration");
        AwRunner.Result none = aw("replay", "--from-log", "tool=nothing", "--connect", hub.endpoint());
        assertThat(none.code()).as("nothing checked is not a pass").isEqualTo(ExitCodes.ERROR);
        assertThat(none.out()).contains("no recorded calls match tool=nothing");
        assertThat(aw("replay", "--connect", hub.endpoint()).code())
                .as("--from-log is required")
                .isEqualTo(ExitCodes.USAGE);
    }
}
