package dev.agentwire.core.terminals;

/**
 * One way of seeing, in a terminal's output, that Claude Code's turn ended (the seed's {@code claude-turn}):
 * {@link TurnDetectors} holds one of each and asks them all. Each answers {@code true} when what it was just
 * shown ends a turn. Not thread safe: {@link TurnDetectors} calls it under its lock.
 */
interface TurnDetector {

    /** What the event's {@code source} says when this detector saw the turn end. */
    String source();

    /** A BEL outside any control string. */
    default boolean bell() {
        return false;
    }

    /** An OSC string's body ({@code 9;4;0}, {@code 0;title}). */
    default boolean osc(String body) {
        return false;
    }

    /** Output as written, control sequences included. */
    default boolean output(String text) {
        return false;
    }

    /** The output has been quiet for {@link TurnDetectors#IDLE_MS} since it last came. */
    default boolean idle() {
        return false;
    }

    /** The bell: Claude Code rings it when a turn ends (its {@code preferredNotifChannel} terminal_bell). */
    final class Bell implements TurnDetector {
        @Override
        public String source() {
            return "bell";
        }

        @Override
        public boolean bell() {
            return true;
        }
    }

    /**
     * ConEmu's progress report, {@code OSC 9;4;STATE[;PERCENT]}: a turn ends when a progress that was shown
     * (state 1-4) is removed (state 0).
     */
    final class Progress implements TurnDetector {
        private boolean shown;

        @Override
        public String source() {
            return "osc-9-4";
        }

        @Override
        public boolean osc(String body) {
            if (!body.startsWith("9;4;") && !body.equals("9;4")) {
                return false;
            }
            String rest = body.length() > 4 ? body.substring(4) : "0";
            int semicolon = rest.indexOf(';');
            String state = semicolon < 0 ? rest : rest.substring(0, semicolon);
            if (state.equals("0") || state.isEmpty()) {
                boolean ended = shown;
                shown = false;
                return ended;
            }
            shown = true;
            return false;
        }
    }

    /**
     * The window title ({@code OSC 0} or {@code OSC 2}): Claude Code puts a spinner (a Braille pattern) before it
     * while it works and {@code ✳} when it waits; a turn ends when a spinner title gives way to another.
     */
    final class Title implements TurnDetector {
        private boolean working;

        @Override
        public String source() {
            return "title";
        }

        @Override
        public boolean osc(String body) {
            if (!body.startsWith("0;") && !body.startsWith("2;")) {
                return false;
            }
            String title = body.substring(2).strip();
            boolean spinner = !title.isEmpty() && title.charAt(0) >= '\u2800' && title.charAt(0) <= '\u28ff';
            boolean ended = working && !spinner;
            working = spinner;
            return ended;
        }
    }

    /**
     * The last resort, Claude Code's status line: while it works it redraws {@code esc to interrupt} with its
     * spinner several times a second; a turn ends when output that showed it goes quiet.
     */
    final class StatusLine implements TurnDetector {
        static final String WORKING = "esc to interrupt";
        private boolean working;
        /** The end of the previous output, so a phrase split across two reads is still seen. */
        private String tail = "";

        @Override
        public String source() {
            return "status-line";
        }

        @Override
        public boolean output(String text) {
            String seen = tail + text;
            if (seen.contains(WORKING)) {
                working = true;
            }
            tail = seen.substring(Math.max(0, seen.length() - WORKING.length()));
            return false;
        }

        @Override
        public boolean idle() {
            boolean ended = working;
            working = false;
            return ended;
        }
    }
}
