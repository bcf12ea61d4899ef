package dev.agentwire.core.terminals;

import java.io.IOException;
import java.nio.file.Path;

/** Binds a session's {@code ipc.sock} (the server does, with its transport); closing it unbinds. */
public interface IpcSockets {

    AutoCloseable bind(String sessionId, Path path) throws IOException;

    /** No ipc.sock (cores without a transport, tests). */
    static IpcSockets none() {
        return (id, path) -> () -> {};
    }
}
