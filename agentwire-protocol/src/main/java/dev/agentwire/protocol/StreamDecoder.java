package dev.agentwire.protocol;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Splits a byte stream into frames.
 *
 * <p>{@link #decode} consumes every complete unit in the buffer, advancing its position past them, and leaves
 * a partial unit in place for the next call (the caller accumulates). Implementations are stateful per
 * connection and not thread safe.
 */
public interface StreamDecoder {

    /**
     * Decodes all complete frames in {@code in} and hands each to {@code out}.
     *
     * @throws FramingException when the stream is broken (a unit over the limit, an impossible header); the
     *     connection should send the error and close
     */
    void decode(ByteBuffer in, Consumer<Frame> out);

    /**
     * The input ended (the peer half-closed): decodes what is complete, and may hand over an unfinished unit as
     * a last frame. By default it only decodes: a partial frame is dropped.
     */
    default void finish(ByteBuffer in, Consumer<Frame> out) {
        decode(in, out);
    }

    /** The framing this decoder reads. */
    Framing framing();
}
