package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Each source of claude-turn on in-memory output, with a clock the test moves. */
class TurnDetectorsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final TurnDetectors turns = TurnDetectors.claudeCode(now::get);

    private void later(long ms) {
        now.addAndGet(ms * 1_000_000);
    }

    @Test
    void aBellEndsATurnButTheBelThatEndsATitleDoesNot() {
        assertThat(turns.output("\u001b]0;my title\u0007working...")).isEmpty();
        assertThat(turns.output("done\u0007")).contains("bell");
    }

    @Test
    void aBellSplitFromItsOscAcrossReadsIsStillTheOscsTerminator() {
        assertThat(turns.output("\u001b]2;half")).isEmpty();
        assertThat(turns.output(" a title\u0007")).isEmpty();
        assertThat(turns.output("\u001bP some dcs \u0007")).isEmpty();
    }

    @Test
    void progressRemovedAfterItWasShownEndsATurn() {
        assertThat(turns.output("\u001b]9;4;0\u001b\\"))
                .as("no progress was shown")
                .isEmpty();
        assertThat(turns.output("\u001b]9;4;3\u001b\\thinking")).isEmpty();
        assertThat(turns.output("\u001b]9;4;0;\u001b\\")).contains("osc-9-4");
    }

    @Test
    void aSpinnerTitleGivingWayToTheIdleTitleEndsATurn() {
        assertThat(turns.output("\u001b]0;\u2733 Claude Code\u0007")).isEmpty();
        assertThat(turns.output("\u001b]0;\u2802 Fixing the bug\u0007")).isEmpty();
        assertThat(turns.output("\u001b]0;\u2810 Fixing the bug\u0007")).isEmpty();
        assertThat(turns.output("\u001b]0;\u2733 Fixing the bug\u0007")).contains("title");
    }

    @Test
    void theStatusLineGoingQuietEndsATurnAndOnlyAfterItWasSeen() {
        assertThat(turns.idle()).isEmpty();
        assertThat(turns.output("\u2733 Thinking\u2026 (3s \u00b7 esc to ")).isEmpty();
        assertThat(turns.output("interrupt)")).isEmpty();
        assertThat(turns.idle()).contains("status-line");
        later(5000);
        assertThat(turns.idle()).as("nothing worked since").isEmpty();
    }

    @Test
    void theSameTurnsOtherSignsWithinTheQuietTimeAreNotReportedAgain() {
        turns.output("\u001b]9;4;3\u0007");
        assertThat(turns.output("\u0007")).contains("bell");
        later(500);
        assertThat(turns.output("\u001b]9;4;0\u0007")).isEmpty();
        later(TurnDetectors.QUIET_MS);
        assertThat(turns.output("\u0007")).contains("bell");
    }

    @Test
    void onceAHookReportedTheOutputsSignsNoLongerCount() {
        turns.hooked();
        assertThat(turns.output("\u0007")).isEmpty();
    }

    @Test
    void oscBodiesPastTheLimitAreDropped() {
        List<String> bodies = new ArrayList<>();
        ControlScanner scanner = new ControlScanner();
        ControlScanner.Listener l = new ControlScanner.Listener() {
            @Override
            public void bell() {
                bodies.add("BEL");
            }

            @Override
            public void osc(String body) {
                bodies.add(body);
            }
        };
        scanner.feed("\u001b]0;" + "x".repeat(ControlScanner.MAX_OSC + 10) + "\u0007\u001b]2;ok\u001b\\\u0007", l);
        assertThat(bodies).containsExactly("2;ok", "BEL");
    }

    @Test
    void claudeIsRecognisedByItsCommand() {
        assertThat(TurnWatch.runsClaude(List.of("/usr/local/bin/claude", "--resume")))
                .isTrue();
        assertThat(TurnWatch.runsClaude(List.of("sh", "-c", "claude -p hi"))).isTrue();
        assertThat(TurnWatch.runsClaude(List.of("bash", "-l"))).isFalse();
        assertThat(TurnWatch.HOOK_EVENTS).contains("Stop", "Notification");
    }
}
