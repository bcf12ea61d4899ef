package dev.agentwire.server.transport;

import dev.agentwire.core.HubCore;
import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.PeerCreds;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.RpcError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a Unix-socket peer's kernel credentials when it connects and asks the core's peer policy about it. An
 * admitted peer is recorded on the channel; a refused one gets one error line naming the reason, then a close.
 */
final class UnixAdmission extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(UnixAdmission.class);

    private final HubCore core;
    private final NettyTransport transport;
    private final String address;
    private final OptionalInt ownerUid;
    private final Optional<String> ownerName;

    UnixAdmission(HubCore core, NettyTransport transport, String address, OptionalInt ownerUid) {
        this.core = core;
        this.transport = transport;
        this.address = address;
        this.ownerUid = ownerUid;
        this.ownerName = Optional.ofNullable(System.getProperty("user.name"));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Optional<String> refusal;
        Peer peer = null;
        try {
            Optional<PeerCreds> creds = transport.peerCredentials(ctx.channel());
            if (creds.isEmpty()) {
                refusal = Optional.of("the kernel gave no peer credentials for this connection");
            } else {
                peer = toPeer(creds.get());
                refusal = core.admit(peer);
            }
        } catch (IOException e) {
            refusal = Optional.of("cannot read peer credentials: " + e.getMessage());
        }
        if (refusal.isPresent()) {
            log.warn("refused a peer on {}: {}", address, refusal.get());
            var f = dev.agentwire.protocol.Json.mapper().createObjectNode();
            f.put("transport", "unix");
            f.put("socket", address);
            f.put("peer", peer == null ? "unknown" : peer.describe());
            f.put("reason", "peer_refused");
            f.put("message", refusal.get());
            core.audit().record("connection_refused", f);
            RpcError error = RpcError.of(ErrorCode.FORBIDDEN, "connection refused: " + refusal.get(), "peer_refused");
            ErrorLine.sendAndClose(ctx, error);
            return;
        }
        ctx.channel().attr(Attributes.PEER).set(peer);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    private Peer toPeer(PeerCreds creds) {
        OptionalInt uid = creds.uid();
        if (uid.isEmpty() && creds.user().isPresent()) {
            // NIO fallback: the kernel told us the user's name only. The owner is known by name; anyone else
            // gets an impossible uid and is refused unless the allow lists are widened by uid (not possible here).
            uid = creds.user().equals(ownerName) && ownerUid.isPresent() ? ownerUid : OptionalInt.of(-1);
        }
        Optional<String> exe = Optional.empty();
        if (creds.pid().isPresent()) {
            try {
                exe = Optional.of(Files.readSymbolicLink(
                                Path.of("/proc", Long.toString(creds.pid().getAsLong()), "exe"))
                        .toString());
            } catch (IOException | UnsupportedOperationException e) {
                // not readable (another user's process, or no /proc)
            }
        }
        return new Peer(Transport.UNIX, address, uid, creds.gids(), creds.pid(), exe);
    }
}
