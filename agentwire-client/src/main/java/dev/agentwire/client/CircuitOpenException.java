package dev.agentwire.client;

/** A service request refused by the client because the service's circuit breaker is open. */
public final class CircuitOpenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String service;

    CircuitOpenException(String service, String message) {
        super(message);
        this.service = service;
    }

    public String service() {
        return service;
    }
}
