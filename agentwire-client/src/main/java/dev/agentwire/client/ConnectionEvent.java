package dev.agentwire.client;

/** What happened to a client's connection. */
public enum ConnectionEvent {
    /** The first connection is up and {@code hub/hello} answered. */
    CONNECTED,
    /** The connection was lost; pending requests failed; a reconnect is scheduled if enabled. */
    DISCONNECTED,
    /** A new connection is up after a loss, {@code hub/hello} answered and the reconnect hooks ran. */
    RECONNECTED,
    /** The client was closed and will not reconnect. */
    CLOSED
}
