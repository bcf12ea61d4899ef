package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.RpcError;
import java.util.Optional;

/** The hub answered a request with a JSON-RPC error, or the client gave up on it (timeout, connection lost). */
public class RpcException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int code;
    private final String errorMessage;
    private final transient JsonNode data;

    public RpcException(RpcError error) {
        super(error.message() + " (" + error.code() + ")");
        this.code = error.code();
        this.errorMessage = error.message();
        this.data = error.data();
    }

    /** The error as it came (or as a handler answers it): code, message without the code, data. */
    public RpcError error() {
        return new RpcError(code, errorMessage, data);
    }

    /** The numeric error code. */
    public int code() {
        return code;
    }

    /** The hub's error code, if it is one the protocol names. */
    public Optional<ErrorCode> errorCode() {
        return ErrorCode.of(code);
    }

    /** {@code error.data} ({@code MissingNode} when absent). */
    public JsonNode data() {
        return data;
    }

    /** {@code error.data.reason}, or "". */
    public String reason() {
        return data.path("reason").asText("");
    }
}
