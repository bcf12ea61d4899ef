package dev.agentwire.client;

/**
 * The process serving the hub's Unix socket is neither this user nor root: another local user may be
 * impersonating the hub (an abstract name taken first, a socket file swapped). Nothing was sent to it.
 */
public final class UntrustedHubException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Endpoint endpoint;

    public UntrustedHubException(Endpoint endpoint, String message) {
        super(message);
        this.endpoint = endpoint;
    }

    /** The endpoint that was refused. */
    public Endpoint endpoint() {
        return endpoint;
    }
}
