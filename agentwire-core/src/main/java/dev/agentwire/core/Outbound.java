package dev.agentwire.core;

import dev.agentwire.protocol.Id;
import dev.agentwire.protocol.Message;
import dev.agentwire.protocol.RpcError;
import java.util.List;

/**
 * The transport's side of a connection: how the core sends to a peer.
 *
 * <p>All methods are thread safe and never block: a transport queues the write on its own I/O thread and
 * applies its outbound byte limit there.
 */
public interface Outbound {

    /** Sends one message. */
    void send(Message message);

    /** Sends a batch response as one JSON array. */
    void sendBatch(List<Message> messages);

    /**
     * Sends a message that may be dropped when the peer is behind (typing, presence, control): a slow
     * consumer loses these first. By default the same as {@link #send}.
     */
    default void sendEphemeral(Message message) {
        send(message);
    }

    /**
     * Sends a message whose JSON text is already encoded, so that a message for many peers (a room's fan-out)
     * is encoded once. {@code json} must be exactly {@code message} encoded; it is not modified.
     */
    default void sendEncoded(Message message, byte[] json) {
        send(message);
    }

    /**
     * Sends already encoded messages in order, as one write where the transport can: a room's group commit
     * reaches each member as one batch instead of one write per message, and members on the same wire format
     * share its bytes. By default one by one.
     */
    default void sendAll(EncodedBatch batch) {
        for (Encoded e : batch.messages()) {
            sendEncoded(e.message(), e.json());
        }
    }

    /** Whether this peer takes typed frames besides JSON-RPC (typed framing, WebSocket binary messages). */
    default boolean takesFrames() {
        return false;
    }

    /** Sends a typed frame; only when {@link #takesFrames()}. */
    default void sendFrame(dev.agentwire.protocol.Frame frame) {
        throw new UnsupportedOperationException("this peer takes no typed frames");
    }

    /** The socket options of the peer's channel as the transport reads them now (name → value). */
    default java.util.Map<String, Object> socketOptions() {
        return java.util.Map.of();
    }

    /** Sends one message and closes the connection once it is written. */
    void sendAndClose(Message message);

    /** Sends {@code error} as an error response with a null id, then closes the connection. */
    default void closeWith(RpcError error) {
        sendAndClose(new Message.ErrorResponse(Id.NULL, error));
    }

    /** Closes the connection without a word. */
    void close();

    /** Bytes queued for this peer and not yet written to the socket. */
    long pendingBytes();
}
