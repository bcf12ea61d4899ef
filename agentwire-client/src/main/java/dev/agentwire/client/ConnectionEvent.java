package dev.agentwire.client;

/** What happened to a client's connection. */
public enum ConnectionEvent {
    /** The first connection is up and {@code hub/hello} answered. */
    CONNECTED,
    /** The connection was lost; pending requests failed; a reconnect is scheduled if enabled. */
    DISCONNECTED,
    /** A new connection is up after a loss, {@code hub/hello} answered and the reconnect hooks ran. */
    RECONNECTED,
    /**
     * Reconnecting failed {@link AgentwireClient.Builder#maxReconnectAttempts} times in a row: the client gives up
     * ({@link AgentwireClient#failure()} says why) and is closed ({@link #CLOSED} follows).
     */
    RECONNECT_FAILED,
    /** The client was closed and will not reconnect. */
    CLOSED
}
