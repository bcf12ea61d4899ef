package dev.agentwire.server.transport;

import dev.agentwire.core.Encoded;
import dev.agentwire.netty.OutboundBatch;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameEncoding;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * How a connection's outbound messages become what its channel writes: bytes in a stream framing, or WebSocket
 * frames (a text frame per JSON-RPC message, a binary frame per typed frame).
 *
 * <p>Formats are values: every connection gets its own instance, and two instances for the same framing are
 * {@code equal}, so a room's batch framed for one connection ({@code EncodedBatch.form}, keyed by the format) is
 * shared by every member on that format. Stateless and thread safe.
 */
interface WireFormat {

    /** Encodes a {@code Message}, {@code OutboundBatch} or {@code Frame}; the caller owns the result. */
    Object encode(Object msg, ByteBufAllocator alloc);

    /** Frames an already encoded JSON text into a new buffer from {@code alloc}. */
    Object frameJson(byte[] json, ByteBufAllocator alloc);

    /**
     * Frames already encoded JSON texts for one write: one buffer holding them all for a stream framing, or a
     * {@code List} of frames for WebSocket (one frame per message).
     */
    Object frameAll(List<Encoded> messages, ByteBufAllocator alloc);

    /** Whether typed frames can be sent besides JSON-RPC (typed framing, WebSocket binary messages). */
    boolean takesFrames();

    /** Whether fatal errors go out as Error frames (typed framing) rather than as JSON-RPC errors. */
    boolean typedErrors();

    /** The bytes an encoded message (or a {@code List} of them) holds, for the outbound byte count. */
    static int size(Object encoded) {
        if (encoded instanceof List<?> list) {
            int n = 0;
            for (Object o : list) {
                n += size(o);
            }
            return n;
        }
        return encoded instanceof ByteBuf b
                ? b.readableBytes()
                : ((ByteBufHolder) encoded).content().readableBytes();
    }

    /** One of the stream framings; equal to every other instance for the same framing. */
    static WireFormat stream(Framing framing) {
        return new StreamFormat(framing);
    }

    /** WebSocket messages; equal to every other instance. */
    static WireFormat webSocket() {
        return new WebSocketFormat();
    }

    /** Messages in a stream framing, one after the other in the bytes. */
    record StreamFormat(Framing framing) implements WireFormat {

        @Override
        public Object encode(Object msg, ByteBufAllocator alloc) {
            ByteBuf buf = alloc.buffer();
            try {
                writeMessage(framing, msg, buf);
                return buf;
            } catch (RuntimeException e) {
                buf.release();
                throw e;
            }
        }

        @Override
        public Object frameJson(byte[] json, ByteBufAllocator alloc) {
            ByteBuf buf = alloc.buffer(json.length + 5);
            writeFramed(framing, json, buf);
            return buf;
        }

        @Override
        public Object frameAll(List<Encoded> messages, ByteBufAllocator alloc) {
            int bytes = 0;
            for (Encoded e : messages) {
                bytes += e.json().length + 5;
            }
            ByteBuf buf = alloc.buffer(bytes);
            for (Encoded e : messages) {
                writeFramed(framing, e.json(), buf);
            }
            return buf;
        }

        @Override
        public boolean takesFrames() {
            return framing == Framing.TYPED;
        }

        @Override
        public boolean typedErrors() {
            return framing == Framing.TYPED;
        }
    }

    /**
     * Appends a {@code Message}, an {@code OutboundBatch} or (typed framing only) a {@code Frame} to {@code out} in a
     * stream framing: the JSON is written straight into {@code out}, and its length put in the header after.
     */
    private static void writeMessage(Framing framing, Object msg, ByteBuf out) {
        if (msg instanceof Frame frame) {
            if (framing != Framing.TYPED) {
                throw new IllegalStateException("a " + framing + " connection cannot carry typed frames");
            }
            out.writeByte(frame.type()).writeInt(frame.payload().length).writeBytes(frame.payload());
            return;
        }
        int header = out.writerIndex();
        switch (framing) {
            case LENGTH_PREFIXED -> out.writeInt(0);
            case TYPED -> out.writeByte(FrameType.JSON_RPC.code()).writeInt(0);
            default -> {}
        }
        int body = out.writerIndex();
        writeJson(msg, out);
        int length = out.writerIndex() - body;
        switch (framing) {
            case NDJSON -> out.writeByte('\n');
            case LENGTH_PREFIXED -> out.setInt(header, length);
            case TYPED -> out.setInt(header + 1, length);
            default -> {}
        }
    }

    /** Appends a {@code Message} or an {@code OutboundBatch} to {@code out} as bare JSON (no framing). */
    private static void writeJson(Object msg, ByteBuf out) {
        ByteBufOutputStream stream = new ByteBufOutputStream(out);
        if (msg instanceof OutboundBatch batch) {
            MessageCodec.writeBatch(batch.messages(), stream);
        } else {
            MessageCodec.write((Message) msg, stream);
        }
    }

    /** Appends one JSON text to {@code buf} in a stream framing; releases {@code buf} if it cannot. */
    private static void writeFramed(Framing framing, byte[] json, ByteBuf buf) {
        switch (framing) {
            case NDJSON -> buf.writeBytes(json).writeByte('\n');
            case LENGTH_PREFIXED -> buf.writeInt(json.length).writeBytes(json);
            case TYPED -> buf.writeByte(0x10).writeInt(json.length).writeBytes(json);
            case HTTP -> {
                buf.release();
                throw new IllegalStateException("HTTP carries no messages here");
            }
        }
    }

    /** WebSocket messages: a text frame per JSON-RPC message, a binary frame per typed frame. */
    record WebSocketFormat() implements WireFormat {

        @Override
        public Object encode(Object msg, ByteBufAllocator alloc) {
            if (msg instanceof Frame frame) {
                return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(FrameEncoding.typed(frame)));
            }
            ByteBuf buf = alloc.buffer();
            try {
                writeJson(msg, buf);
                return new TextWebSocketFrame(buf);
            } catch (RuntimeException e) {
                buf.release();
                throw e;
            }
        }

        @Override
        public Object frameJson(byte[] json, ByteBufAllocator alloc) {
            return new TextWebSocketFrame(alloc.buffer(json.length).writeBytes(json));
        }

        @Override
        public Object frameAll(List<Encoded> messages, ByteBufAllocator alloc) {
            List<Object> frames = new ArrayList<>(messages.size());
            for (Encoded e : messages) {
                frames.add(frameJson(e.json(), alloc));
            }
            return frames;
        }

        @Override
        public boolean takesFrames() {
            return true;
        }

        @Override
        public boolean typedErrors() {
            return false;
        }
    }
}
