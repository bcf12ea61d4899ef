package dev.agentwire.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

class RawJsonTest {

    private static RawJson result(String json) {
        Parsed p = MessageCodec.parseKeepingResults(
                ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + json + "}").getBytes(UTF_8));
        return (RawJson) ((Message.Response) ((Parsed.Valid) p).message()).result();
    }

    @Test
    void anObjectKnowsItsTopLevelMembersAndTheLastOneWins() {
        RawJson raw = result("{\"content\":[{\"type\":\"text\"}],\"n\":{\"content\":1},\"isError\":true}");
        assertThat(raw.isJsonObject()).isTrue();
        assertThat(raw.field("content")).contains(JsonToken.START_ARRAY);
        assertThat(raw.field("isError")).contains(JsonToken.VALUE_TRUE);
        assertThat(raw.field("type")).isEmpty();
        assertThat(result("[1,{\"content\":[]}]").field("content")).isEmpty();
    }

    @Test
    void aFirstMemberIsWrittenBeforeTheOthers() {
        RawJson raw = result("{\"content\":[]}").withFirstMember("isError", false);
        assertThat(raw.toString()).isEqualTo("{\"isError\":false,\"content\":[]}");
        assertThat(raw.field("isError")).contains(JsonToken.VALUE_FALSE);
        assertThat(raw.tree().path("content").isArray()).isTrue();
        assertThatThrownBy(() -> raw.withFirstMember("isError", true)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> result("{}").withFirstMember("isError", true))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void insideATreeItIsWrittenAsItCame() throws Exception {
        var tree = Json.mapper().createObjectNode();
        tree.set("result", result("{\"a\" : 1.50}"));
        tree.put("after", 2);
        assertThat(Json.mapper().writeValueAsString(tree)).isEqualTo("{\"result\":{\"a\" : 1.50},\"after\":2}");
        assertThat(RawJson.tree(tree.get("result"))).isEqualTo(Json.mapper().readTree("{\"a\":1.50}"));
        assertThat(result("{\"a\" : 1.50}")).isEqualTo(result("{\"a\" : 1.50}"));
    }
}
