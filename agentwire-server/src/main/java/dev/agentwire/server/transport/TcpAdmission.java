package dev.agentwire.server.transport;

import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Records a TCP peer's address on the channel. TCP peers authenticate later, with a token. */
final class TcpAdmission extends ChannelInboundHandlerAdapter {

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        String address = remote instanceof InetSocketAddress i
                ? i.getAddress().getHostAddress() + ":" + i.getPort()
                : String.valueOf(remote);
        ctx.channel().attr(Attributes.PEER).set(Peer.remote(Transport.TCP, address));
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
