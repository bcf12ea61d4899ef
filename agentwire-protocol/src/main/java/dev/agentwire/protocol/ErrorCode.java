package dev.agentwire.protocol;

import java.util.Optional;

/** The JSON-RPC 2.0 error codes and the hub's own, as listed in {@code docs/PROTOCOL.md}. */
public enum ErrorCode {
    PARSE_ERROR(-32700, "Parse error"),
    INVALID_REQUEST(-32600, "Invalid Request"),
    METHOD_NOT_FOUND(-32601, "Method not found"),
    INVALID_PARAMS(-32602, "Invalid params"),
    INTERNAL_ERROR(-32603, "Internal error"),
    TIMEOUT(-32001, "Request timed out"),
    NO_PROVIDER(-32002, "No provider"),
    PROVIDER_GONE(-32003, "Provider went away"),
    RATE_LIMITED(-32004, "Rate limited"),
    FORBIDDEN(-32005, "Unauthenticated or forbidden"),
    TOO_LARGE(-32006, "Payload too large"),
    NOT_FOUND(-32007, "Not found"),
    OVERLOADED(-32008, "Overloaded"),
    CANCELLED(-32009, "Cancelled");

    private final int code;
    private final String title;

    ErrorCode(int code, String title) {
        this.code = code;
        this.title = title;
    }

    /** The numeric code sent on the wire. */
    public int code() {
        return code;
    }

    /** A short generic title, e.g. "Method not found". */
    public String title() {
        return title;
    }

    /** The error code with this number, if it is one of ours. */
    public static Optional<ErrorCode> of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
