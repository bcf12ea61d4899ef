package dev.agentwire.client;

/**
 * The client gave up reconnecting: {@link AgentwireClient.Builder#maxReconnectAttempts} attempts in a row failed.
 * The client is closed; its pending and later requests fail with this, and {@link AgentwireClient#failure()}
 * holds it. The cause is the last attempt's failure.
 */
public final class ReconnectFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int attempts;

    public ReconnectFailedException(String message, int attempts, Throwable cause) {
        super(message, cause);
        this.attempts = attempts;
    }

    /** How many reconnect attempts were made. */
    public int attempts() {
        return attempts;
    }
}
