package dev.agentwire.core.terminals;

/** Takes a session's output as it comes (an ipc.sock client, for instance). Called on the session's reader thread. */
public interface TerminalSink {

    /** Text the process wrote. */
    void output(String text);

    /** The process ended. */
    void exited(int exitCode);
}
