package dev.agentwire.protocol.socketio;

/** Text that is not an Engine.IO or Socket.IO packet; the message says what is wrong with it. */
public final class SocketIoProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    public SocketIoProtocolException(String message) {
        super(message);
    }
}
