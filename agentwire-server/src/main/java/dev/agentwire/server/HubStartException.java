package dev.agentwire.server;

/** The hub cannot start; the message says why and what to do. */
public final class HubStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public HubStartException(String message) {
        super(message);
    }

    public HubStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
