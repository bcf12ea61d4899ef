package dev.agentwire.core.terminals;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Starts processes on pseudo-terminals (pty4j in the hub). */
public interface PtyLauncher {

    /** Starts {@code command} with the window size already {@code cols} × {@code rows} when it starts. */
    Pty launch(List<String> command, String cwd, Map<String, String> env, int cols, int rows) throws IOException;
}
