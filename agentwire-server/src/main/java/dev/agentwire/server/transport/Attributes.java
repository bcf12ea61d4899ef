package dev.agentwire.server.transport;

import dev.agentwire.core.Connection;
import dev.agentwire.core.Peer;
import io.netty.util.AttributeKey;

/** Channel attributes the hub's handlers share. */
final class Attributes {

    /** The admitted peer; absent on a refused Unix-socket peer. */
    static final AttributeKey<Peer> PEER = AttributeKey.valueOf("agentwire.peer");

    /** What the request's token or browser login grants (set by HttpGate); a WebSocket keeps its handshake's. */
    static final AttributeKey<dev.agentwire.core.auth.TokenService.Grant> GRANT =
            AttributeKey.valueOf("agentwire.grant");

    /** The core connection, once the framing is known. */
    static final AttributeKey<Connection> CONNECTION = AttributeKey.valueOf("agentwire.connection");

    private Attributes() {}
}
