package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ViewerFlowTest {

    @Test
    void aViewerThatAcknowledgesMoreThanItWasSentIsStillPausedLater() {
        ViewerFlow flow = new ViewerFlow(100, 10);
        assertThat(flow.offer(50)).isTrue();
        flow.ack(10);
        flow.ack(Long.MAX_VALUE); // a client may send any number: it must not wrap the count
        assertThat(flow.unacknowledged()).isZero();
        assertThat(flow.offer(101)).isTrue();
        assertThat(flow.offer(1)).as("past HIGH the viewer is paused").isFalse();
        assertThat(flow.paused()).isTrue();
        flow.ack(-5);
        assertThat(flow.unacknowledged()).isEqualTo(101);
        assertThat(flow.ack(95))
                .as("down to LOW it resumes and gets the screen anew")
                .isTrue();
    }

    @Test
    void aResumingViewerGetsTheScrollbacksTailFromALineStartNotAllOfIt() {
        String scrollback = "a line of a full scrollback\r\n".repeat(40_000) + "THE-END";
        String tail = TerminalSession.anewTail(scrollback);
        assertThat(tail.length()).isLessThanOrEqualTo((int) ViewerFlow.LOW);
        assertThat(tail).startsWith("a line of").endsWith("THE-END");
        assertThat(TerminalSession.anewTail("short\r\nTHE-END")).isEqualTo("short\r\nTHE-END");
    }
}
