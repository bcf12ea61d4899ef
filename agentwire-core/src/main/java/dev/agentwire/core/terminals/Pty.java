package dev.agentwire.core.terminals;

import java.io.InputStream;
import java.io.OutputStream;

/** A running process on a pseudo-terminal. */
public interface Pty {

    /** What the process writes (the PTY master's output). */
    InputStream output();

    /** What the process reads (its keyboard). */
    OutputStream input();

    /** Sets the window size; the process gets SIGWINCH. */
    void resize(int cols, int rows);

    long pid();

    boolean isAlive();

    /** Waits for the process to end; its exit code, or 128 + the signal that ended it. */
    int waitFor() throws InterruptedException;

    /** Sends {@code signal} (a number, as kill(1) takes it) to the process. */
    void signal(int signal);

    /** Types {@code text} (as UTF-8) now, whole even when several threads type; nothing if the process has ended. */
    default void type(String text) {
        type(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Types {@code bytes} now, whole even when several threads type; nothing if the process has ended. */
    default void type(byte[] bytes) {
        try {
            java.io.OutputStream in = input();
            synchronized (in) {
                in.write(bytes);
                in.flush();
            }
        } catch (java.io.IOException e) {
            // the process has ended
        }
    }
}
