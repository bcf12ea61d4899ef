package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** OSC 133 marks in a program's output, however it splits or garbles them. */
class ShellMarksTest {

    private final List<String> seen = new ArrayList<>();
    private final ShellMarks marks = new ShellMarks(new ShellMarks.Listener() {
        @Override
        public void commandStarted() {
            seen.add("C");
        }

        @Override
        public void commandEnded(int exitCode) {
            seen.add("D" + exitCode);
        }
    });

    @Test
    void marksEndedByBelOrStAreFoundAcrossChunks() {
        marks.feed("prompt \u001b]133;C\u0007 running\u001b]13");
        marks.feed("3;D;0\u0007 \u001b]133;C\u001b\\\u001b]133;D;2\u001b");
        marks.feed("\\ \u001b]133;D;-1;aid=7\u0007");
        assertThat(seen).containsExactly("C", "D0", "C", "D2", "D-1");
    }

    @Test
    void otherMarksAndBrokenOnesAreIgnored() {
        marks.feed("\u001b]133;A\u0007\u001b]133;B\u0007\u001b]133;Z\u0007\u001b]133;D;x\u001bq\u001b]133;D\u0007");
        assertThat(seen).containsExactly("D0");
    }

    @Test
    void anExitCodeTooLargeForAnIntIsClamped() {
        marks.feed("\u001b]133;D;99999999999999999999999\u0007");
        assertThat(seen).containsExactly("D" + Integer.MAX_VALUE);
    }

    @Test
    void aMarkFollowedByPagesOfDigitsCostsOnePassAndIsDroppedPastTheLimit() {
        // A backtracking regex took seconds on 16,000 digits (quadratic); here it is one pass.
        for (int i = 0; i < 64; i++) {
            marks.feed("\u001b]133;D;" + "1".repeat(1 << 16));
        }
        marks.feed("\u0007 then a real one \u001b]133;D;7\u0007");
        assertThat(seen).containsExactly("D7");
    }
}
