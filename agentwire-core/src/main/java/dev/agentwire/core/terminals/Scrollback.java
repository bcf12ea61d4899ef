package dev.agentwire.core.terminals;

/** The last N characters a session wrote (a bounded ring): what a new viewer sees first. Thread safe. */
final class Scrollback {

    private final int capacity;
    private final StringBuilder text = new StringBuilder();

    Scrollback(int capacity) {
        this.capacity = capacity;
    }

    synchronized void append(String s) {
        text.append(s);
        if (text.length() > capacity) {
            text.delete(0, text.length() - capacity);
        }
    }

    synchronized String text() {
        return text.toString();
    }
}
