package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.services.ServiceRelay;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** aw serve (any script becomes a service), aw request, aw services and aw route-llm against a real hub. */
class ServiceCommandsTest {

    private AgentwireHub hub;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = AgentwireHub.builder()
                .home(Files.createTempDirectory(Path.of("/tmp"), "awsvc").resolve("home"))
                .set("clientPort", "0")
                .build()
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        hub.close();
    }

    /** Starts {@code aw serve NAME -- COMMAND...} and waits for its "serving" line. */
    private String serve(String name, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", name, "--connect", hub.endpoint(), "--"));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(AwRunner.processCommand(args.toArray(String[]::new)))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        processes.add(p);
        String line = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).startsWith("aw serve: serving " + name);
        return line;
    }

    @Test
    void anyScriptBecomesAService() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        String line = serve("upper", "/bin/sh", "-c", "tr a-z A-Z");
        assertThat(line).contains("agents/upper.sock");
        AwRunner.Result r = aw("request", "upper", "shout", "{\"text\":\"hello\"}", "--connect", hub.endpoint());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Json.mapper().readTree(r.out()).path("TEXT").asText()).isEqualTo("HELLO");
        AwRunner.Result list = aw("services", "--connect", hub.endpoint());
        assertThat(list.out()).contains("SERVICE").contains("upper");
        JsonNode json = Json.mapper()
                .readTree(aw("services", "--json", "--connect", hub.endpoint()).out());
        assertThat(json.path("services").get(0).path("handled").asLong()).isEqualTo(1);
        // The socket aw serve opened speaks the seed's envelope.
        assertThat(hub.config().home().resolve("agents/upper.sock")).exists();
    }

    @Test
    void theCommandSeesTheActionAndAFailingCommandIsAnError() throws Exception {
        serve("env", "/bin/sh", "-c", "cat >/dev/null; echo \"\\\"$AW_SERVICE/$AW_ACTION\\\"\"");
        AwRunner.Result r = aw("request", "env", "look", "--connect", hub.endpoint());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().trim()).isEqualTo("\"env/look\"");
        serve("broken", "/bin/sh", "-c", "echo 'disk on fire' >&2; exit 3");
        r = aw("request", "broken", "x", "--connect", hub.endpoint());
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err())
                .contains("/bin/sh exited with 3: disk on fire (-32000)")
                .doesNotContain("(-32000) (-32000)");
    }

    @Test
    void badInputAndMissingServices() {
        AwRunner.Result r = aw("request", "nobody", "x", "--connect", hub.endpoint());
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("no live instance of service nobody");
        r = aw("request", "svc", "x", "{not json", "--connect", hub.endpoint());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("DATA is not JSON");
        r = aw("serve", "x", "--connect", hub.endpoint());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        r = aw("route-llm", "--tokens", "-5", "--connect", hub.endpoint());
        assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
        assertThat(r.err()).contains("token_count must be zero or more");
    }

    @Test
    void routeLlmNamesAProviderAndWhy() throws Exception {
        AwRunner.Result r = aw("route-llm", "--tokens", "50000", "--task", "coding", "--connect", hub.endpoint());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("GPT-4 Turbo (estimated cost $0.5000").contains("Selected for:");
        JsonNode j = Json.mapper()
                .readTree(aw("route-llm", "--tokens", "100", "--json", "--connect", hub.endpoint())
                        .out());
        assertThat(j.path("provider").asText()).isNotEmpty();
    }

    @Test
    void aServeReRegistersWhenTheHubComesBack() throws Exception {
        Path home = hub.config().home();
        serve("again", "/bin/sh", "-c", "cat");
        hub.close();
        hub = AgentwireHub.builder().home(home).set("clientPort", "0").build().start();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> hub.core().require(ServiceRelay.class).registry().instanceCount() == 1);
        AwRunner.Result r = aw("request", "again", "x", "{\"n\":1}", "--connect", hub.endpoint());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Json.mapper().readTree(r.out()).path("n").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(home.resolve("agents/again.sock")));
    }
}
