package dev.agentwire.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void firstLineEndsAtTheFirstLineBreakOfAnyKind() {
        assertThat(Text.firstLine("Unexpected character\n at [Source: REDACTED]"))
                .isEqualTo("Unexpected character");
        assertThat(Text.firstLine("one\r\ntwo")).isEqualTo("one");
        assertThat(Text.firstLine("one\rtwo")).isEqualTo("one");
        assertThat(Text.firstLine("\nsecond")).isEmpty();
    }

    @Test
    void firstLineOfOneLineIsTheLineAndOfNothingSaysSo() {
        assertThat(Text.firstLine("only")).isEqualTo("only");
        assertThat(Text.firstLine("")).isEmpty();
        assertThat(Text.firstLine(null)).isEqualTo("(no message)");
    }
}
