package dev.agentwire.client;

/** No hub answers at the endpoint (nothing listening, socket missing, refused). */
public final class HubUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Endpoint endpoint;

    public HubUnavailableException(Endpoint endpoint, String message, Throwable cause) {
        super(message, cause);
        this.endpoint = endpoint;
    }

    public Endpoint endpoint() {
        return endpoint;
    }
}
