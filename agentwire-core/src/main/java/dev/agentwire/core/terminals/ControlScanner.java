package dev.agentwire.core.terminals;

/**
 * Finds the bells and the OSC strings ({@code ESC ] ... BEL} or {@code ESC ] ... ESC \}) in a terminal's output,
 * across reads: a BEL that ends an OSC string is its terminator, not a bell. Other string sequences (DCS, APC, PM,
 * SOS) are skipped to their terminator. An OSC body longer than {@value #MAX_OSC} characters is dropped.
 *
 * <p>Pure: text in, callbacks out. Not thread safe: one feeder (the terminal's output path).
 */
final class ControlScanner {

    /** The longest OSC body passed on; a longer one is skipped. */
    static final int MAX_OSC = 4096;

    /** What the scanner found. */
    interface Listener {
        void bell();

        /** An OSC string's body: what comes between {@code ESC ]} and its terminator, such as {@code 0;title}. */
        void osc(String body);
    }

    private enum State {
        TEXT,
        ESC,
        OSC,
        OSC_ESC,
        STRING,
        STRING_ESC
    }

    private State state = State.TEXT;
    private final StringBuilder body = new StringBuilder();
    private boolean tooLong;

    void feed(CharSequence text, Listener listener) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (state) {
                case TEXT -> {
                    if (c == '\u001b') {
                        state = State.ESC;
                    } else if (c == '\u0007') {
                        listener.bell();
                    }
                }
                case ESC -> {
                    if (c == ']') {
                        state = State.OSC;
                        body.setLength(0);
                        tooLong = false;
                    } else if (c == 'P' || c == '_' || c == '^' || c == 'X') {
                        state = State.STRING;
                    } else {
                        state = c == '\u001b' ? State.ESC : State.TEXT;
                    }
                }
                case OSC -> {
                    if (c == '\u0007') {
                        endOsc(listener);
                    } else if (c == '\u001b') {
                        state = State.OSC_ESC;
                    } else if (body.length() < MAX_OSC) {
                        body.append(c);
                    } else {
                        tooLong = true;
                    }
                }
                case OSC_ESC -> {
                    if (c == '\\') {
                        endOsc(listener);
                    } else {
                        // ESC that is not ST cancels the string and starts a new sequence.
                        state = State.ESC;
                        i--;
                    }
                }
                case STRING -> {
                    if (c == '\u0007') {
                        state = State.TEXT;
                    } else if (c == '\u001b') {
                        state = State.STRING_ESC;
                    }
                }
                case STRING_ESC -> state = c == '\\' ? State.TEXT : State.STRING;
                default -> throw new IllegalStateException(state.toString());
            }
        }
    }

    private void endOsc(Listener listener) {
        state = State.TEXT;
        if (!tooLong) {
            listener.osc(body.toString());
        }
        body.setLength(0);
    }
}
