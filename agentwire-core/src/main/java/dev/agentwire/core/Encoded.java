package dev.agentwire.core;

import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;

/**
 * A message together with its JSON text, encoded once so that a message for many peers (a room's fan-out) is
 * not encoded again for each of them. The array is shared and must not be modified.
 */
public record Encoded(Message message, byte[] json) {

    /** Encodes {@code message}. */
    public static Encoded of(Message message) {
        return new Encoded(message, MessageCodec.encode(message));
    }
}
