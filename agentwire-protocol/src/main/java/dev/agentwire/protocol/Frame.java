package dev.agentwire.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One decoded unit of a stream: a typed frame, or (for NDJSON and length-prefixed JSON) a JSON text carried as
 * a {@link FrameType#JSON_RPC} frame.
 *
 * @param type the raw type byte, which may be one no {@link FrameType} names
 * @param payload the payload bytes; owned by the frame, do not modify
 */
public record Frame(int type, byte[] payload) {

    public Frame {
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
    }

    /** A frame of a known type. */
    public static Frame of(FrameType type, byte[] payload) {
        return new Frame(type.code(), payload);
    }

    /** A frame whose payload is UTF-8 text. */
    public static Frame of(FrameType type, String text) {
        return new Frame(type.code(), text.getBytes(StandardCharsets.UTF_8));
    }

    /** The named type of this frame, if it has one. */
    public Optional<FrameType> kind() {
        return FrameType.of(type);
    }
}
