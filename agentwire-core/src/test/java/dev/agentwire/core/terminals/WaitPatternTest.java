package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.core.HubException;
import dev.agentwire.core.patterns.BudgetedText;
import dev.agentwire.core.patterns.ClientPatterns;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Client patterns: RE2 syntax only, bounded before they compile, and every match under a budget. */
class WaitPatternTest {

    private static BudgetedText unlimited(String text) {
        return new BudgetedText(text, Long.MAX_VALUE, () -> 0L, () -> false);
    }

    private static HubException refused(String pattern) {
        try {
            WaitPattern.compile(pattern);
        } catch (HubException e) {
            return e;
        }
        throw new AssertionError(pattern + " was taken");
    }

    @Test
    void backreferencesAndLookaroundAreRefusedNamingThePatternAndWhy() {
        for (String p : new String[] {"(a)\\1", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b"}) {
            HubException e = refused(p);
            assertThat(e.code().code()).as(p).isEqualTo(-32602);
            assertThat(e.getMessage()).as(p).contains("pattern " + p).contains("RE2 syntax");
            assertThat(e.toRpcError().data().path("reason").asText()).isEqualTo("invalid_pattern");
        }
        assertThat(refused("(a)\\1").getMessage()).contains("invalid escape sequence");
    }

    @Test
    void theCatastrophicPatternOfTheIssueEndsAtOnceWithoutAMatch() {
        WaitPattern p = WaitPattern.compile("((a+)+)+b");
        assertThat(p.find(unlimited("a".repeat(1 << 16)), "screen")).isEmpty();
        assertThat(p.find(unlimited("a".repeat(48) + "b"), "screen")).isPresent();
    }

    @Test
    void caretAndDollarAnchorLinesAsAPersonReadsTheScreen() {
        WaitPattern p = WaitPattern.compile("^100$");
        assertThat(p.find(unlimited("$ seq 100 100\n100\n$"), "screen")).isPresent();
        assertThat(p.find(unlimited("$ seq 1000 1000\n1000\n$"), "screen")).isEmpty();
        assertThat(p.find(unlimited("x100\n100x"), "screen")).isEmpty();
        assertThat(WaitPattern.compile("\\Aonly\\z").find(unlimited("first\nonly"), "screen"))
                .as("\\A and \\z still anchor the whole text")
                .isEmpty();
        assertThat(WaitPattern.compile("(?-m)^100$").find(unlimited("x\n100\ny"), "screen"))
                .as("(?-m) turns line anchors off")
                .isEmpty();
    }

    @Test
    void whatTheTestsAndPeopleWriteStillWorks() {
        assertThat(WaitPattern.compile("(?m)^\\$").find(unlimited("out\n$ "), "screen"))
                .isPresent();
        var m = WaitPattern.compile("(?m)^(\\d+)\\s*\\n(\\d+)")
                .find(unlimited("x\n97\n31\n"), "output")
                .orElseThrow();
        assertThat(m.path("match").asText()).isEqualTo("97\n31");
        assertThat(m.path("groups").get(0).asText()).isEqualTo("97");
        assertThat(m.path("where").asText()).isEqualTo("output");
        assertThat(WaitPattern.compile("second line[\\s\\S]*~").find(unlimited("second line\n~"), "screen"))
                .isPresent();
    }

    @Test
    void patternsThatExpandPastTheLimitAreRefusedBeforeTheyCompile() {
        HubException e = refused("((a{1000}){1000}){1000}");
        assertThat(e.getMessage()).contains("at most " + ClientPatterns.MAX_SIZE);
        assertThat(refused("(x{1000}){1000}").getMessage()).contains("nested counts multiply");
        assertThat(refused("a".repeat(ClientPatterns.MAX_LENGTH + 1)).getMessage())
                .contains((ClientPatterns.MAX_LENGTH + 1) + " characters long")
                .contains("at most " + ClientPatterns.MAX_LENGTH);
        // Below the limit they compile.
        WaitPattern.compile("(a{100}){100}");
    }

    @Test
    void theExpandedSizeCountsEveryCopyAndNothingInClassesOrEscapes() {
        assertThat(ClientPatterns.expandedSize("abc")).isEqualTo(3);
        assertThat(ClientPatterns.expandedSize("a{10}")).isGreaterThanOrEqualTo(10);
        assertThat(ClientPatterns.expandedSize("(ab){3}")).isGreaterThanOrEqualTo(6);
        assertThat(ClientPatterns.expandedSize("(a{10}){10}")).isGreaterThanOrEqualTo(100);
        assertThat(ClientPatterns.expandedSize("x{2,50}")).isGreaterThanOrEqualTo(50);
        assertThat(ClientPatterns.expandedSize("x{5,}")).isGreaterThanOrEqualTo(6);
        assertThat(ClientPatterns.expandedSize("[{1000}]")).isLessThan(10);
        assertThat(ClientPatterns.expandedSize("\\{1000}")).isLessThan(10);
        assertThat(ClientPatterns.expandedSize("\\Q{1000}\\E")).isLessThan(10);
        assertThat(ClientPatterns.expandedSize("((((a{99999999}")).isEqualTo(ClientPatterns.MAX_SIZE + 1);
    }

    @Test
    void aMatchStopsAtItsDeadlineAndWhenItsWaitEnds() {
        WaitPattern slow = WaitPattern.compile("(?s)(.{100}){100}x");
        String text = "b".repeat(1 << 20);
        AtomicLong now = new AtomicLong();
        // The clock moves a little on each look: the deadline passes partway through the text.
        BudgetedText timed = new BudgetedText(text, 5, now::incrementAndGet, () -> false);
        assertThatThrownBy(() -> slow.find(timed, "output"))
                .isInstanceOfSatisfying(
                        BudgetedText.Stopped.class,
                        s -> assertThat(s.reason()).isEqualTo(BudgetedText.Reason.DEADLINE));
        AtomicBoolean done = new AtomicBoolean(true);
        BudgetedText ended = new BudgetedText(text, Long.MAX_VALUE, () -> 0L, done::get);
        assertThatThrownBy(() -> slow.find(ended, "output"))
                .isInstanceOfSatisfying(
                        BudgetedText.Stopped.class, s -> assertThat(s.reason()).isEqualTo(BudgetedText.Reason.STOPPED));
    }
}
