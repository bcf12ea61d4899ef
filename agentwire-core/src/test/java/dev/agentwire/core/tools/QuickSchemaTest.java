package dev.agentwire.core.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.protocol.Json;
import org.junit.jupiter.api.Test;

/** Which schemas let a small tool call be validated on the I/O thread. */
class QuickSchemaTest {

    private static boolean quick(String json) throws Exception {
        return QuickSchema.test(Json.mapper().readTree(json));
    }

    @Test
    void typesSizesRangesAndNestedPropertiesAreQuick() throws Exception {
        assertThat(quick("{\"type\":\"object\"}")).isTrue();
        assertThat(quick("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":9},"
                        + "\"n\":{\"type\":\"integer\",\"minimum\":0},\"tags\":{\"type\":\"array\",\"items\":"
                        + "{\"enum\":[\"a\",\"b\"]}}},\"required\":[\"text\"],\"additionalProperties\":false}"))
                .isTrue();
    }

    @Test
    void patternsFormatsRefsAndCombinatorsAnywhereAreNot() throws Exception {
        assertThat(quick("{\"type\":\"object\",\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"^a+$\"}}}"))
                .isFalse();
        assertThat(quick("{\"type\":\"object\",\"patternProperties\":{\"^x\":{\"type\":\"string\"}}}"))
                .isFalse();
        assertThat(quick("{\"type\":\"object\",\"properties\":{\"e\":{\"type\":\"string\",\"format\":\"email\"}}}"))
                .isFalse();
        assertThat(quick("{\"type\":\"object\",\"properties\":{\"r\":{\"$ref\":\"#/$defs/x\"}},\"$defs\":{\"x\":{}}}"))
                .isFalse();
        assertThat(quick("{\"type\":\"object\",\"anyOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}"))
                .isFalse();
        assertThat(quick("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":"
                        + "{\"type\":\"string\",\"pattern\":\"x\"}}}}"))
                .isFalse();
        assertThat(quick("{\"type\":\"object\",\"properties\":\"not an object\"}"))
                .isFalse();
    }

    @Test
    void deepNestingIsNot() throws Exception {
        String schema = "{\"type\":\"object\"}";
        for (int i = 0; i < 12; i++) {
            schema = "{\"type\":\"object\",\"properties\":{\"x\":" + schema + "}}";
        }
        assertThat(quick(schema)).isFalse();
    }
}
