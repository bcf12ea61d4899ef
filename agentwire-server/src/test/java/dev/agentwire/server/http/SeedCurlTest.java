package dev.agentwire.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.AgentwireHub;
import dev.agentwire.server.testing.TestHubs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator seed's curl lines, run with the real {@code curl}: {@code curl -s http://localhost:8090/health}
 * and {@code curl -X POST -H "Content-Type: application/json" -d '{...}' http://localhost:8090/api/route-llm},
 * with the hub's port; the forms curl sends a body in, and the bodies that cannot be a routing request.
 */
class SeedCurlTest {

    /** The seed's request body. */
    private static final String SEED_BODY =
            "{\"token_count\": 5000, \"task_type\": \"coding\", \"priority\": \"high\"}";

    private AgentwireHub hub;
    private String base;

    /** What curl printed: the body, then the status on the last line. */
    private record Answer(int status, String body, String stderr) {
        JsonNode json() throws IOException {
            return Json.mapper().readTree(body);
        }
    }

    @BeforeEach
    void start() throws Exception {
        assumeTrue(runs("curl", "--version"), "needs curl (CI installs it)");
        hub = TestHubs.start(TestHubs.shortTempDir(), b -> b.set("limits.ratePerSecond", "0"));
        base = "http://localhost:" + hub.tcpPort().getAsInt();
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
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

    /** Runs {@code curl -s -w '\n%{http_code}' ARGS...}. */
    private static Answer curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-S", "--max-time", "20", "-w", "\\n%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl finishes").isTrue();
        int nl = out.lastIndexOf('\n');
        return new Answer(Integer.parseInt(out.substring(nl + 1).trim()), out.substring(0, Math.max(nl, 0)), err);
    }

    private String bearer() {
        return "Authorization: Bearer " + hub.token();
    }

    @Test
    void theSeedsHealthLineIsAnsweredWithoutAToken() throws Exception {
        Answer a = curl(base + "/health");
        assertThat(a.status()).isEqualTo(200);
        JsonNode h = a.json();
        assertThat(h.path("status").asText()).isEqualTo("healthy");
        assertThat(h.path("agents").isIntegralNumber()).isTrue();
        assertThat(h.path("interfaces").toString()).contains("unix-sockets", "websocket", "http");
        assertThat(h.path("llm_router").has("current_spend"))
                .as("the day's spend and the providers' health are the router scope's")
                .isFalse();
        assertThat(h.path("llm_router").path("detail").asText()).contains("router scope");

        JsonNode router = curl("-H", bearer(), base + "/health").json().path("llm_router");
        assertThat(router.path("daily_budget").asDouble()).isEqualTo(100.0);
        assertThat(router.path("remaining").asDouble()).isEqualTo(100.0);
        assertThat(router.path("providers")).hasSize(4);
    }

    @Test
    void theSeedsRouteLineNeedsTheTokenAndIsAnsweredWithIt() throws Exception {
        Answer a = curl("-X", "POST", "-H", "Content-Type: application/json", "-d", SEED_BODY, base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.json().path("error").path("message").asText())
                .contains("/api/route-llm needs a secret")
                .contains("Authorization: Bearer");

        a = curl(
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-H",
                bearer(),
                "-d",
                SEED_BODY,
                base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(200);
        JsonNode r = a.json();
        assertThat(r.path("provider").asText()).isEqualTo("Local Llama");
        assertThat(r.path("reasoning").asText()).startsWith("Selected for:");
        assertThat(r.has("estimated_cost")).isTrue();
        assertThat(r.path("confidence").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void theOtherFormsCurlSendsAJsonBodyIn() throws Exception {
        // -d without a Content-Type: curl says application/x-www-form-urlencoded, but the body is the JSON.
        Answer a = curl("-H", bearer(), "-d", SEED_BODY, base + "/api/route-llm");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.json().path("provider").asText()).isEqualTo("Local Llama");
        // A charset parameter, and --data-binary from stdin-like content with a trailing newline.
        a = curl(
                "-H",
                "Content-Type: application/json; charset=utf-8",
                "-H",
                bearer(),
                "--data-binary",
                SEED_BODY + "\n",
                base + "/api/route-llm");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        // The token as ?token= (for a shell without the header).
        a = curl("-d", SEED_BODY, base + "/api/route-llm?token=" + hub.token());
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        // "Expect: 100-continue" (what curl sends before a large body): the hub says go on.
        String big = "{\"token_count\": 100, \"task_type\": \"coding\", \"interface\": \"" + "x".repeat(2000) + "\"}";
        a = curl(
                "-v",
                "-H",
                "Expect: 100-continue",
                "-H",
                "Content-Type: application/json",
                "-H",
                bearer(),
                "-d",
                big,
                base + "/api/route-llm");
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.stderr()).contains("Expect: 100-continue").contains("HTTP/1.1 100 Continue");
    }

    @Test
    void bodiesThatAreNotARoutingRequestAreRefusedWithWhatToSend() throws Exception {
        // A real form: -d key=value.
        Answer a = curl("-H", bearer(), "-d", "token_count=5000", "-d", "task_type=coding", base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().path("error").path("code").asInt()).isEqualTo(-32700);
        assertThat(a.json().path("error").path("message").asText())
                .contains("form-encoded")
                .contains("-H 'Content-Type: application/json'");
        // --data-urlencode of the JSON: the same, the hub does not decode forms.
        a = curl("-H", bearer(), "--data-urlencode", SEED_BODY, base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().path("error").path("message").asText()).contains("form-encoded");
        // -F: a multipart form.
        a = curl("-H", bearer(), "-F", "token_count=5000", base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().path("error").path("message").asText()).contains("multipart/form-data");
        // Two -d's of JSON: curl joins them with '&'.
        a = curl(
                "-H",
                bearer(),
                "-d",
                "{\"token_count\": 5000}",
                "-d",
                "{\"priority\": \"high\"}",
                base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().path("error").path("message").asText()).startsWith("the body is not JSON");
        // Empty, an array, a string for a number, a priority the router does not know.
        a = curl("-X", "POST", "-H", bearer(), "-d", "", base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().path("error").path("message").asText()).contains("needs a JSON body");
        a = curl("-H", bearer(), "-H", "Content-Type: application/json", "-d", "[5000]", base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().path("error").path("message").asText()).contains("must be a JSON object");
        a = curl(
                "-H",
                bearer(),
                "-H",
                "Content-Type: application/json",
                "-d",
                "{\"token_count\": \"lots\"}",
                base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().path("error").path("code").asInt()).isEqualTo(-32602);
        a = curl(
                "-H",
                bearer(),
                "-H",
                "Content-Type: application/json",
                "-d",
                "{\"token_count\": 5000, \"priority\": \"urgent\"}",
                base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.json().path("error").path("message").asText()).contains("priority must be high, normal or low");
        // GET on the route, POST on /health.
        a = curl("-H", bearer(), base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(405);
        a = curl("-X", "POST", "-d", "{}", base + "/health");
        assertThat(a.status()).isEqualTo(405);
        // And the hub still routes.
        a = curl("-H", bearer(), "-d", SEED_BODY, base + "/api/route-llm");
        assertThat(a.status()).isEqualTo(200);
    }
}
