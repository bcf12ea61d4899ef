package dev.agentwire.protocol;

import java.util.List;

/**
 * What one JSON text on the wire turned out to be: a valid message, an invalid one that must be answered with
 * an error, or a batch of either.
 */
public sealed interface Parsed permits Parsed.Valid, Parsed.Invalid, Parsed.Batch {

    /** A well-formed JSON-RPC message. */
    record Valid(Message message) implements Parsed {}

    /**
     * A text that is not a valid message; {@code id} is the request's id where it could be read, else
     * {@link Id#NULL}.
     */
    record Invalid(Id id, RpcError error) implements Parsed {
        /** The error response that answers it. */
        public Message.ErrorResponse toResponse() {
            return new Message.ErrorResponse(id, error);
        }
    }

    /** A JSON array of messages, answered (if at all) by an array of responses. */
    record Batch(List<Parsed> entries) implements Parsed {
        public Batch {
            entries = List.copyOf(entries);
        }
    }
}
