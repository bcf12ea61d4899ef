package dev.agentwire.core.terminals;

/**
 * Finds shell-integration marks (OSC 133, FinalTerm) in a terminal's output: {@code ESC ] 133 ; C} a command
 * starts, {@code ESC ] 133 ; D ; code} it ended, each ended by BEL or {@code ESC \}. A mark split over two chunks
 * is found when its end arrives; an unfinished one is kept for at most {@value #MAX_PENDING} characters.
 *
 * <p>Read by hand in one pass, so the time is linear in the output whatever a program prints (a regular
 * expression with a backtracking engine took seconds on a mark followed by 16,000 digits, on the terminal's reader
 * thread). Not thread safe: the terminal's reader thread feeds it.
 */
final class ShellMarks {

    /** Told about the marks found. */
    interface Listener {
        void commandStarted();

        /** A command ended with {@code exitCode} (0 when the mark has none). */
        void commandEnded(int exitCode);
    }

    /** The longest unfinished mark kept for the next chunk, in characters. */
    static final int MAX_PENDING = 256;

    private static final String START = "\u001b]133;";
    private static final char BEL = '\u0007';
    private static final char ESC = '\u001b';
    private static final int INCOMPLETE = -1;
    private static final int NOT_A_MARK = -2;

    private final Listener listener;
    private final StringBuilder pending = new StringBuilder();

    ShellMarks(Listener listener) {
        this.listener = listener;
    }

    /** The next chunk of output. */
    void feed(String text) {
        if (pending.length() == 0 && text.indexOf(ESC) < 0) {
            return;
        }
        pending.append(text);
        int from = 0;
        int unfinished = -1;
        for (int start = pending.indexOf(START); start >= 0; start = pending.indexOf(START, from)) {
            int end = mark(start);
            if (end == INCOMPLETE) {
                unfinished = start;
                break;
            }
            from = end == NOT_A_MARK ? start + 1 : end;
        }
        if (unfinished >= 0 && pending.length() - unfinished <= MAX_PENDING) {
            pending.delete(0, unfinished);
        } else {
            // Keep only what could still begin a mark: a trailing ESC and what follows it.
            int esc = pending.lastIndexOf(String.valueOf(ESC));
            pending.delete(0, esc >= Math.max(from, pending.length() - START.length()) ? esc : pending.length());
        }
    }

    /** Reads the mark at {@code start}: the index after it (and tells the listener), or INCOMPLETE or NOT_A_MARK. */
    private int mark(int start) {
        int i = start + START.length();
        if (i >= pending.length()) {
            return INCOMPLETE;
        }
        char kind = pending.charAt(i++);
        if (kind < 'A' || kind > 'D') {
            return NOT_A_MARK;
        }
        long code = 0;
        if (i < pending.length() && pending.charAt(i) == ';') {
            int j = i + 1;
            boolean negative = j < pending.length() && pending.charAt(j) == '-';
            int k = negative ? j + 1 : j;
            int digits = k;
            while (digits < pending.length() && isDigit(pending.charAt(digits))) {
                digits++;
            }
            if (digits > k) {
                code = parse(k, digits, negative);
                i = digits;
            }
        }
        while (i < pending.length() && pending.charAt(i) != BEL && pending.charAt(i) != ESC) {
            i++;
        }
        if (i >= pending.length()) {
            return INCOMPLETE;
        }
        int end;
        if (pending.charAt(i) == BEL) {
            end = i + 1;
        } else if (i + 1 >= pending.length()) {
            return INCOMPLETE;
        } else if (pending.charAt(i + 1) == '\\') {
            end = i + 2;
        } else {
            return NOT_A_MARK;
        }
        if (kind == 'C') {
            listener.commandStarted();
        } else if (kind == 'D') {
            listener.commandEnded((int) code);
        }
        return end;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The digits in {@code [from, to)}, clamped to the range of an int. */
    private long parse(int from, int to, boolean negative) {
        long v = 0;
        for (int i = from; i < to && v <= Integer.MAX_VALUE; i++) {
            v = v * 10 + (pending.charAt(i) - '0');
        }
        v = Math.min(v, Integer.MAX_VALUE);
        return negative ? -v : v;
    }
}
