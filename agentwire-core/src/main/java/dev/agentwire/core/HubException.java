package dev.agentwire.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.RpcError;

/**
 * A failure that domain code reports to the caller as a JSON-RPC error. Anything else thrown by a handler is
 * mapped to {@code -32603} and logged.
 */
public class HubException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int wireCode;
    private final transient JsonNode data;
    private final boolean fatal;

    private HubException(ErrorCode code, int wireCode, String message, JsonNode data, boolean fatal) {
        super(message, null, false, false);
        this.code = code;
        this.wireCode = wireCode;
        this.data = data;
        this.fatal = fatal;
    }

    private HubException(ErrorCode code, String message, JsonNode data, boolean fatal) {
        this(code, code.code(), message, data, fatal);
    }

    /**
     * An error another peer answered (a service instance), passed on to the caller as it is: its code may be
     * one the hub does not know ({@link #code()} is then {@code INTERNAL_ERROR}).
     */
    public static HubException relayed(RpcError error) {
        return new HubException(
                ErrorCode.of(error.code()).orElse(ErrorCode.INTERNAL_ERROR),
                error.code(),
                error.message(),
                error.data(),
                false);
    }

    /** An error with {@code data: {reason}}. */
    public static HubException of(ErrorCode code, String reason, String message) {
        return new HubException(code, message, reasonData(reason), false);
    }

    /** An error with the given data object (which should carry {@code reason}). */
    public static HubException withData(ErrorCode code, String message, ObjectNode data) {
        return new HubException(code, message, data, false);
    }

    /** The same, and the connection is closed once the reply is sent when {@code fatal}. */
    public static HubException withData(ErrorCode code, String message, ObjectNode data, boolean fatal) {
        return new HubException(code, message, data, fatal);
    }

    /** An error after which the connection is closed, once the reply is sent. */
    public static HubException fatal(ErrorCode code, String reason, String message) {
        return new HubException(code, message, reasonData(reason), true);
    }

    /** An object with {@code reason} set, to add more fields to. */
    public static ObjectNode reasonData(String reason) {
        ObjectNode data = Json.mapper().createObjectNode();
        data.put("reason", reason);
        return data;
    }

    public ErrorCode code() {
        return code;
    }

    /** Whether the connection is closed after the error is sent. */
    public boolean fatal() {
        return fatal;
    }

    /** The wire form. */
    public RpcError toRpcError() {
        return new RpcError(wireCode, getMessage(), data);
    }
}
