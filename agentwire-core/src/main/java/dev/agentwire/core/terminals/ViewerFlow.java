package dev.agentwire.core.terminals;

/**
 * Flow control for one viewer that says what it has drawn, as xterm.js's flow-control guide describes: the viewer
 * counts the characters its {@code write} callback has seen through and sends them back ({@code terminals/ack});
 * the hub stops sending to it while more than {@code high} characters are unacknowledged and starts again once no
 * more than {@code low} are. The program never waits for a viewer: what a paused viewer misses is not kept for it;
 * when it resumes it gets the screen anew (a reset and the scrollback, see {@link TerminalSession}).
 *
 * <p>Not thread safe: its session calls it under its output lock.
 */
final class ViewerFlow {

    /** Unacknowledged characters past which a viewer is paused (xterm.js's guide uses 100,000 for its HIGH). */
    static final long HIGH = 256 << 10;

    /** Unacknowledged characters below which a paused viewer resumes. */
    static final long LOW = 32 << 10;

    private final long high;
    private final long low;
    private long sent;
    private long acked;
    private boolean paused;

    ViewerFlow(long high, long low) {
        if (low < 0 || low >= high) {
            throw new IllegalArgumentException("need 0 <= low (" + low + ") < high (" + high + ")");
        }
        this.high = high;
        this.low = low;
    }

    /** Whether {@code chars} of output go to the viewer now (counted as sent if so), or are missed. */
    boolean offer(int chars) {
        if (!paused && sent - acked > high) {
            paused = true;
        }
        if (paused) {
            return false;
        }
        sent += chars;
        return true;
    }

    /**
     * The viewer drew {@code chars} more; whether it must now get the screen anew (it was paused, it missed output,
     * and it is down to {@code low}): the caller sends that and counts it with {@link #resent}.
     */
    boolean ack(long chars) {
        acked += Math.min(Math.max(0, chars), sent - acked); // never past what was sent, and never wrapping
        if (paused && sent - acked <= low) {
            paused = false;
            return true;
        }
        return false;
    }

    /** The viewer was sent {@code chars} to draw the screen anew. */
    void resent(int chars) {
        sent += chars;
    }

    boolean paused() {
        return paused;
    }

    long unacknowledged() {
        return sent - acked;
    }
}
