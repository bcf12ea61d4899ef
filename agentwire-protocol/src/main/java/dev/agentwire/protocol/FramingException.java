package dev.agentwire.protocol;

/**
 * A stream that cannot be decoded any further: the connection must answer with {@link #error()} and close.
 */
public final class FramingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient RpcError error;

    public FramingException(RpcError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    /** The error to send before closing. */
    public RpcError error() {
        return error;
    }

    /** Frame or line length over the limit: {@code -32006} with {@code data.limit}. */
    static FramingException tooLarge(String what, long length, int limit) {
        var data = Json.mapper().createObjectNode();
        data.put("reason", "too_large");
        data.put("limit", limit);
        data.put("length", length);
        return new FramingException(RpcError.of(
                ErrorCode.TOO_LARGE,
                what + " length (" + length + ") exceeds the allowed maximum (" + limit + ")",
                data));
    }
}
