package dev.agentwire.protocol;

/**
 * Text for error messages that go back to a peer or into a log. Stateless.
 */
public final class Text {

    private Text() {}

    /**
     * The first line of {@code message}: everything before its first {@code \n} or {@code \r}, so that a
     * parser's message (Jackson and SnakeYAML add an excerpt of the input on later lines) fits on one line;
     * {@code "(no message)"} for {@code null}.
     */
    public static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\n' || c == '\r') {
                return message.substring(0, i);
            }
        }
        return message;
    }
}
