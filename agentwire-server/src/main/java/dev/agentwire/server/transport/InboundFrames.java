package dev.agentwire.server.transport;

import dev.agentwire.core.Connection;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.MessageCodec;
import dev.agentwire.protocol.RpcError;
import java.util.Optional;

/** What the hub does with one inbound frame on a JSON-RPC connection, whichever transport carried it. */
final class InboundFrames {

    private InboundFrames() {}

    /** JsonRpc frames go to the core, Heartbeats are echoed, anything else gets a (non-fatal) Error frame. */
    static void route(Frame frame, Connection connection, ChannelOutbound outbound) {
        Optional<FrameType> kind = frame.kind();
        if (kind.isPresent() && kind.get() == FrameType.JSON_RPC) {
            // Results are relayed as they came (MessageCodec.parseKeepingResults): the hub never reads them.
            connection.receive(MessageCodec.parseKeepingResults(frame.payload()), frame.payload().length);
        } else if (kind.isPresent() && kind.get() == FrameType.HEARTBEAT) {
            outbound.sendFrame(Frame.of(FrameType.HEARTBEAT, frame.payload()), false);
        } else {
            String name = kind.map(Enum::name).orElse("unknown");
            RpcError error = RpcError.of(
                    ErrorCode.INVALID_REQUEST,
                    String.format(
                            "frame type 0x%02X (%s) is not accepted on this socket; send JsonRpc (0x10) frames",
                            frame.type(), name),
                    "unsupported_frame");
            outbound.sendFrame(ChannelOutbound.errorFrame(error), false);
        }
    }
}
