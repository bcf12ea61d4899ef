package dev.agentwire.core.terminals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the process that owns a new terminal's PTY outside the hub: a detached forwarder ({@code aw run
 * --detached}), which registers the terminal with the hub ({@code terminals/register}) under the id it is given,
 * and again with whatever hub runs after a restart. The terminal so outlives the hub. The hub's side provides it.
 */
public interface TerminalForwarders {

    /** A forwarder on its way. */
    interface Started {

        /** Ends the forwarder and its command: it did not register in time. */
        void abandon();

        /** Runs {@code then} when the forwarder process ends (at once if it has). */
        void onExit(Runnable then);
    }

    /**
     * Starts the forwarder of terminal {@code id}: it runs {@code command} in {@code cwd} with {@code env} on a PTY
     * of {@code cols} × {@code rows}, and writes its own log in {@code dir} (the terminal's directory, made).
     */
    Started start(
            String id,
            List<String> command,
            String cwd,
            Map<String, String> env,
            int cols,
            int rows,
            Optional<String> name,
            Path dir)
            throws IOException;
}
