package dev.agentwire.server.transport;

import dev.agentwire.core.HubCore;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.Framing;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.Executor;

/**
 * The pipeline of a connection on a session's {@code ipc.sock}: Unix admission, typed frames, {@link IpcHandler}
 * (which handles frames on {@code work}, the hub's {@link HandlerPools#ipc()}).
 */
public final class IpcChannelInitializer extends ChannelInitializer<Channel> {

    private final HubCore core;
    private final NettyTransport transport;
    private final TerminalService terminals;
    private final String sessionId;
    private final HubChannelInitializer.Settings settings;
    private final ChannelGroup channels;
    private final Executor work;

    public IpcChannelInitializer(
            HubCore core,
            NettyTransport transport,
            TerminalService terminals,
            String sessionId,
            HubChannelInitializer.Settings settings,
            ChannelGroup channels,
            Executor work) {
        this.core = core;
        this.transport = transport;
        this.terminals = terminals;
        this.sessionId = sessionId;
        this.settings = settings;
        this.channels = channels;
        this.work = work;
    }

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        ch.pipeline()
                .addLast(
                        "admission",
                        new UnixAdmission(core, transport, "control/" + sessionId + "/ipc.sock", settings.ownerUid()))
                .addLast("framing", new StreamFrameDecoder(Framing.TYPED.newDecoder(settings.maxMessageBytes())))
                .addLast(
                        "ipc",
                        new IpcHandler(
                                terminals,
                                sessionId,
                                core.metrics(),
                                settings.maxOutboundBytes(),
                                settings.slowConsumerGraceMs(),
                                work));
    }
}
