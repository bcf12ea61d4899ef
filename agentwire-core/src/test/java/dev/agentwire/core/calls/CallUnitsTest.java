package dev.agentwire.core.calls;

import static dev.agentwire.core.TestPeer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.core.HubException;
import org.junit.jupiter.api.Test;

/** The call log's pure parts: redaction, the query's params, the result digest. */
class CallUnitsTest {

    @Test
    void aResultKeptAsTheTextItCameInDigestsAsItsTree() {
        byte[] line = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var parsed =
                (dev.agentwire.protocol.Parsed.Valid) dev.agentwire.protocol.MessageCodec.parseKeepingResults(line);
        com.fasterxml.jackson.databind.JsonNode kept =
                ((dev.agentwire.protocol.Message.Response) parsed.message()).result();
        assertThat(kept).isInstanceOf(dev.agentwire.protocol.RawJson.class);
        assertThat(ResultDigest.of(kept))
                .isEqualTo(ResultDigest.of(json("{\"content\": [{\"text\": \"hi\", \"type\": \"text\"}]}")));
    }

    @Test
    void redactionWalksObjectsAndArraysAndLeavesTheInputAlone() {
        Redactor r = new Redactor(Redactor.DEFAULT_RULE, 4096);
        var in = json("{\"a\":[{\"b\":{\"client_secret\":\"x\"}},{\"API-KEY\":1}],\"Cookie\":\"c\",\"keep\":\"k\"}");
        Redactor.Kept kept = r.keep(in);
        assertThat(kept.redacted()).isTrue();
        assertThat(kept.truncated()).isFalse();
        assertThat(kept.arguments())
                .isEqualTo(json("{\"a\":[{\"b\":{\"client_secret\":\"[redacted]\"}},{\"API-KEY\":\"[redacted]\"}],"
                        + "\"Cookie\":\"[redacted]\",\"keep\":\"k\"}"));
        assertThat(in.path("Cookie").asText())
                .as("the call's own arguments are not touched")
                .isEqualTo("c");
        assertThat(r.keep(json("{\"name\":\"n\"}")).redacted()).isFalse();
        assertThat(new Redactor("", 4096).keep(json("{\"password\":\"p\"}")).redacted())
                .as("an empty rule redacts nothing")
                .isFalse();
        assertThatThrownBy(() -> new Redactor("(", 10)).hasMessageContaining("calls.redact");
    }

    @Test
    void longArgumentsAreCutOnACharacterBoundaryWithAMarker() {
        Redactor.Kept kept = new Redactor("", 64).keep(json("{\"t\":\"" + "é".repeat(100) + "\"}"));
        assertThat(kept.truncated()).isTrue();
        var mark = kept.arguments().path(Redactor.TRUNCATED);
        assertThat(mark.path("bytes").asInt()).isEqualTo(208);
        assertThat(mark.path("head").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(64);
        assertThat(mark.path("head").asText()).startsWith("{\"t\":\"éé");
    }

    @Test
    void queriesReadDurationsEpochsAndLimitsAndNameWhatIsWrong() {
        long now = 1_000_000_000L;
        assertThat(CallQuery.parse(json("{\"since\":\"10m\"}"), now).since()).hasValue(now - 600_000);
        assertThat(CallQuery.parse(json("{\"since\":\"1d\"}"), now).since()).hasValue(now - 86_400_000);
        assertThat(CallQuery.parse(json("{\"since\":\"500ms\"}"), now).since()).hasValue(now - 500);
        assertThat(CallQuery.parse(json("{\"since\":1234}"), now).since()).hasValue(1234L);
        assertThat(CallQuery.parse(json("{\"since\":\"1234\"}"), now).since()).hasValue(1234L);
        assertThat(CallQuery.parse(json("{\"since\":\"999999999999d\"}"), now).since())
                .as("further back than the epoch")
                .hasValue(0L);
        assertThat(CallQuery.parse(json("{}"), now).limit()).isEqualTo(CallQuery.DEFAULT_LIMIT);
        assertThat(CallQuery.parse(json("{\"limit\":1000}"), now).limit()).isEqualTo(1000);
        for (String bad : new String[] {
            "{\"since\":\"10 minutes\"}",
            "{\"since\":-1}",
            "{\"since\":true}",
            "{\"limit\":1001}",
            "{\"limit\":0}",
            "{\"limit\":2.5}",
            "{\"id\":0}",
            "{\"caller\":\"\"}",
            "{\"tool\":[\"a\"]}",
            "{\"servce\":\"s\"}",
            "[1]"
        }) {
            assertThatThrownBy(() -> CallQuery.parse(json(bad), now))
                    .as(bad)
                    .isInstanceOf(HubException.class)
                    .hasMessageContaining("calls/list")
                    .satisfies(e -> assertThat(((HubException) e).code().code()).isEqualTo(-32602));
        }
    }

    @Test
    void theDigestIgnoresKeyOrderAndSeesEveryValue() {
        String a = ResultDigest.of(json("{\"b\":1,\"a\":{\"y\":[1,\"x\"],\"x\":null}}"));
        assertThat(ResultDigest.of(json("{\"a\":{\"x\":null,\"y\":[1,\"x\"]},\"b\":1}")))
                .isEqualTo(a);
        assertThat(ResultDigest.of(json("{\"a\":{\"x\":null,\"y\":[\"x\",1]},\"b\":1}")))
                .isNotEqualTo(a);
        assertThat(ResultDigest.canonical(json("{\"b\":\"\\\"q\\\"\",\"a\":2}")))
                .isEqualTo("{\"a\":2,\"b\":\"\\\"q\\\"\"}");
        assertThat(a).matches("[0-9a-f]{64}");
    }
}
