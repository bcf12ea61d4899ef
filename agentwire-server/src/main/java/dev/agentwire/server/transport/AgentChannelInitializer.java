package dev.agentwire.server.transport;

import dev.agentwire.core.HubCore;
import dev.agentwire.netty.NettyTransport;
import dev.agentwire.netty.StreamFrameDecoder;
import dev.agentwire.protocol.JsonValueDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of a connection on {@code agents/<name>.sock}: the Unix admission of the hub socket (peer
 * credentials and policy), back-pressure, complete JSON values ({@link JsonValueDecoder}: with or without a newline
 * after each), and the seed's envelope ({@link EnvelopeHandler}).
 */
public final class AgentChannelInitializer extends ChannelInitializer<Channel> {

    private final HubCore core;
    private final NettyTransport transport;
    private final String service;
    private final String address;
    private final HubChannelInitializer.Settings settings;
    private final ChannelGroup channels;

    public AgentChannelInitializer(
            HubCore core,
            NettyTransport transport,
            String service,
            String address,
            HubChannelInitializer.Settings settings,
            ChannelGroup channels) {
        this.core = core;
        this.transport = transport;
        this.service = service;
        this.address = address;
        this.settings = settings;
        this.channels = channels;
    }

    @Override
    protected void initChannel(Channel ch) {
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("admission", new UnixAdmission(core, transport, address, settings.ownerUid()));
        p.addLast("backpressure", new BackpressureHandler());
        // Whole JSON values, not lines: the seed's agents write an envelope without a newline and keep the socket open.
        p.addLast("framing", new StreamFrameDecoder(new JsonValueDecoder(settings.maxMessageBytes())));
        p.addLast(
                "envelope",
                new EnvelopeHandler(
                        core,
                        service,
                        settings.maxOutboundBytes(),
                        TimeUnit.MILLISECONDS.toNanos(settings.slowConsumerGraceMs())));
    }
}
