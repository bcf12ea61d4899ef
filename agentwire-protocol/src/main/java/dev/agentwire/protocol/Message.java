package dev.agentwire.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * One JSON-RPC 2.0 message: a request, a notification, a success response or an error response.
 *
 * <p>Absent {@code params} or {@code data} are {@link MissingNode}, never {@code null}.
 */
public sealed interface Message permits Message.Request, Message.Notification, Message.Response, Message.ErrorResponse {

    /** A call that expects a response with the same id. */
    record Request(Id id, String method, JsonNode params) implements Message {
        public Request {
            requireMethod(method);
            if (id == null || id instanceof Id.Null) {
                throw new IllegalArgumentException("a request needs a string or number id");
            }
            params = params == null ? MissingNode.getInstance() : params;
        }
    }

    /** A call without an id: no response is sent. */
    record Notification(String method, JsonNode params) implements Message {
        public Notification {
            requireMethod(method);
            params = params == null ? MissingNode.getInstance() : params;
        }
    }

    /** A success response. */
    record Response(Id id, JsonNode result) implements Message {
        public Response {
            if (id == null) {
                throw new IllegalArgumentException("id must not be null (use Id.NULL)");
            }
            if (result == null || result.isMissingNode()) {
                throw new IllegalArgumentException("a response needs a result (use NullNode for null)");
            }
        }
    }

    /** An error response. */
    record ErrorResponse(Id id, RpcError error) implements Message {
        public ErrorResponse {
            if (id == null) {
                throw new IllegalArgumentException("id must not be null (use Id.NULL)");
            }
            if (error == null) {
                throw new IllegalArgumentException("error must not be null");
            }
        }
    }

    private static void requireMethod(String method) {
        if (method == null || method.isEmpty()) {
            throw new IllegalArgumentException("method must be a non-empty string");
        }
    }
}
