package dev.agentwire.core.terminals;

/** Takes a session's output as it comes (an ipc.sock client, for instance). Called on the session's reader thread. */
public interface TerminalSink {

    /** Text the process wrote. */
    void output(String text);

    /**
     * Text the process wrote and its UTF-8 bytes, made once for every sink and viewer of that read: a sink that
     * sends bytes uses them as they are (they must not be changed). By default {@link #output(String)}.
     */
    default void output(String text, byte[] utf8) {
        output(text);
    }

    /** The process ended. */
    void exited(int exitCode);
}
