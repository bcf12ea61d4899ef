package dev.agentwire.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.agentwire.protocol.Json;
import dev.agentwire.server.testing.NodePackages;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's in-page check of tool arguments ({@code web/dashboard/schema.js}), run in Node on the cases
 * the call form meets: what it refuses is said with the path, and what JSON Schema allows passes (the hub checks
 * again; the page only spares the provider a call that cannot pass).
 */
class DashboardSchemaTest {

    private static final Path SCRIPT = Path.of("src/main/resources/web/dashboard/schema.js");

    private final ArrayNode cases = Json.mapper().createArrayNode();

    private void check(String schema, String value) throws Exception {
        cases.addObject().set("schema", Json.mapper().readTree(schema));
        ((com.fasterxml.jackson.databind.node.ObjectNode) cases.get(cases.size() - 1))
                .set("value", Json.mapper().readTree(value));
    }

    /** Each case's errors, as "path message". */
    private List<List<String>> run() throws Exception {
        assumeTrue(NodePackages.onPath("node"), "node is not installed (.ci/run installs nodejs)");
        Path script = Path.of(getClass().getResource("/node/schema-check.mjs").toURI());
        Process p = new ProcessBuilder(
                        "node", script.toString(), SCRIPT.toAbsolutePath().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(cases.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<List<String>> all = new ArrayList<>();
        for (JsonNode errors : Json.mapper().readTree(out)) {
            List<String> lines = new ArrayList<>();
            errors.forEach(e ->
                    lines.add(e.path("path").asText() + " " + e.path("message").asText()));
            all.add(lines);
        }
        return all;
    }

    @Test
    void refusesWhatTheSchemaRefusesAndSaysWhere() throws Exception {
        String adder = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\",\"minimum\":0},"
                + "\"b\":{\"type\":\"number\"},\"op\":{\"enum\":[\"add\",\"sub\"]}},\"required\":[\"a\",\"b\"],"
                + "\"additionalProperties\":false}";
        check(adder, "{\"a\":1,\"b\":2.5,\"op\":\"add\"}");
        check(adder, "{\"a\":1.5,\"b\":\"x\",\"op\":\"mul\",\"c\":1}");
        check(adder, "{\"a\":-1}");
        String nested = "{\"type\":\"object\",\"$defs\":{\"tag\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\","
                + "\"maxLength\":5}},\"properties\":{\"tags\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/tag\"},"
                + "\"maxItems\":2,\"uniqueItems\":true},\"when\":{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}}}";
        check(nested, "{\"tags\":[\"ok\",\"fine\"],\"when\":3}");
        check(nested, "{\"tags\":[\"UP\",\"waytoolong\",\"UP\"],\"when\":true}");
        check("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":[\"string\",\"null\"]}}}", "{\"x\":null}");

        List<List<String>> r = run();
        assertThat(r.get(0)).isEmpty();
        assertThat(r.get(1))
                .containsExactlyInAnyOrder(
                        "$.a must be integer, is number",
                        "$.b must be number, is string",
                        "$.op must be one of \"add\", \"sub\"",
                        "$.c is not an allowed property");
        assertThat(r.get(2)).containsExactlyInAnyOrder("$.b is required", "$.a must be ≥ 0");
        assertThat(r.get(3)).isEmpty();
        assertThat(r.get(4))
                .contains(
                        "$.tags must have at most 2 items",
                        "$.tags items must be unique",
                        "$.tags[0] must match ^[a-z]+$",
                        "$.tags[1] must have at most 5 characters",
                        "$.when must match exactly one of oneOf");
        assertThat(r.get(5)).isEmpty();
    }

    @Test
    void aSelfReferringSchemaEndsInsteadOfLooping() throws Exception {
        check("{\"$ref\":\"#\",\"type\":\"object\"}", "{}");
        assertThat(run().get(0)).isEmpty();
    }
}
