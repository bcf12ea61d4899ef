package dev.agentwire.client;

/** The connection dropped before the hub answered; the request may or may not have run. */
public final class ConnectionLostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message) {
        super(message);
    }
}
