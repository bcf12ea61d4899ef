package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.HubMetrics;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.core.terminals.TerminalSink;
import dev.agentwire.netty.StreamFailure;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.FrameType;
import dev.agentwire.protocol.Framing;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Text;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of a session's {@code ipc.sock} (VibeTunnel seed), in typed frames: it gets SessionInfo, then the
 * scrollback and every later output as StdoutData, and StatusUpdate when the process exits; it sends
 * StdinData (keyboard bytes), ControlCmd ({@code {cmd: resize|kill|update-title|reset-size}}) and Heartbeat
 * (echoed). Anything else, or a bad command, gets an Error frame and the connection goes on; a frame over the
 * size limit gets an Error frame and a close.
 *
 * <p>A viewer that does not read is never waited for: output for it queues up to {@code limits.maxOutboundBytes};
 * past that for longer than {@code limits.slowConsumerGraceMs} (or at once past four times the limit, at least 64
 * MiB) it gets an Error frame with reason {@code slow_consumer} and is closed: the same {@link ChannelOutbound} as
 * on hub.sock. The program and the other viewers
 * go on; the viewer may connect again and gets the scrollback.
 */
final class IpcHandler extends ChannelInboundHandlerAdapter implements TerminalSink {

    private static final Logger log = LoggerFactory.getLogger(IpcHandler.class);

    private final TerminalService terminals;
    private final String sessionId;
    private final HubMetrics metrics;
    private final long maxOutboundBytes;
    private final long graceNanos;
    /** Where frames are handled: the hub's {@link HandlerPools#ipc()}. */
    private final Executor work;
    /** The last frame's handling; the next one runs after it (touched only on the event loop). */
    private java.util.concurrent.CompletableFuture<Void> tail =
            java.util.concurrent.CompletableFuture.completedFuture(null);
    /** Everything to the viewer goes through it: ordered writes, coalesced flushes, the slow-consumer limit. */
    private volatile ChannelOutbound outbound;

    IpcHandler(
            TerminalService terminals,
            String sessionId,
            HubMetrics metrics,
            long maxOutboundBytes,
            long graceMs,
            Executor work) {
        this.terminals = terminals;
        this.sessionId = sessionId;
        this.metrics = metrics;
        this.maxOutboundBytes = maxOutboundBytes;
        this.graceNanos = TimeUnit.MILLISECONDS.toNanos(graceMs);
        this.work = work;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        outbound = new ChannelOutbound(
                ctx.channel(), WireFormat.stream(Framing.TYPED), maxOutboundBytes, graceNanos, metrics);
        try {
            ObjectNode info = terminals.describe(sessionId);
            send(Frame.of(FrameType.SESSION_INFO, info.toString()));
            String missed = terminals.subscribe(sessionId, this);
            if (!missed.isEmpty()) {
                output(missed);
            }
        } catch (HubException e) {
            outbound.sendFrame(ChannelOutbound.errorFrame(e.toRpcError()), true);
            return;
        }
        ctx.fireChannelActive();
    }

    private void send(Frame frame) {
        ChannelOutbound out = outbound;
        if (out != null) {
            out.sendFrame(frame);
        }
    }

    @Override
    public void output(String text) {
        output(text, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The session's bytes for this read, shared with its other viewers (never changed). */
    @Override
    public void output(String text, byte[] utf8) {
        send(Frame.of(FrameType.STDOUT_DATA, utf8));
    }

    @Override
    public void exited(int exitCode) {
        ChannelOutbound out = outbound;
        if (out == null) {
            return;
        }
        ObjectNode status = Json.mapper().createObjectNode();
        status.put("status", "exited");
        status.put("exitCode", exitCode);
        out.sendFrame(Frame.of(FrameType.STATUS_UPDATE, status.toString()), true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof StreamFailure failure) {
            // After the answers to the frames before it.
            tail = tail.thenRun(() -> outbound.sendFrame(ChannelOutbound.errorFrame(failure.error()), true));
            return;
        }
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        // Off the event loop, in arrival order: writing to a PTY blocks when the program does not read its input,
        // and a signal is sent through kill(1).
        tail = tail.thenRunAsync(
                () -> {
                    try {
                        handle(frame);
                    } catch (HubException e) {
                        send(ChannelOutbound.errorFrame(e.toRpcError()));
                    } catch (RuntimeException e) {
                        log.warn("ipc.sock of {}: {}", sessionId, e.toString());
                    }
                },
                work);
    }

    private void handle(Frame frame) {
        Optional<FrameType> kind = frame.kind();
        if (kind.isEmpty()) {
            throw refused(frame, "unknown");
        }
        switch (kind.get()) {
            case STDIN_DATA -> terminals.writeBytes(sessionId, frame.payload());
            case CONTROL_CMD -> control(frame.payload());
            case HEARTBEAT -> send(Frame.of(FrameType.HEARTBEAT, frame.payload()));
            default -> throw refused(frame, kind.get().name());
        }
    }

    private static HubException refused(Frame frame, String name) {
        return HubException.of(
                ErrorCode.INVALID_REQUEST,
                "unsupported_frame",
                String.format(
                        "frame type 0x%02X (%s) is not accepted on ipc.sock; send StdinData (0x01), ControlCmd (0x02)"
                                + " or Heartbeat (0x07)",
                        frame.type(), name));
    }

    private void control(byte[] payload) {
        JsonNode cmd;
        try {
            cmd = Json.mapper().readTree(payload);
        } catch (IOException e) {
            throw HubException.of(
                    ErrorCode.PARSE_ERROR,
                    "malformed_json",
                    "ControlCmd is not JSON: " + Text.firstLine(e.getMessage()));
        }
        if (cmd == null || !cmd.isObject() || !cmd.path("cmd").isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "ControlCmd must be {\"cmd\": \"resize\"|\"kill\"|\"update-title\"|\"reset-size\", ...}");
        }
        ObjectNode status;
        switch (cmd.path("cmd").textValue()) {
            case "resize" ->
                status = terminals.resize(
                        sessionId, cmd.path("cols").asInt(0), cmd.path("rows").asInt(0));
            case "reset-size" -> status = terminals.resetSize(sessionId);
            case "kill" -> status = terminals.kill(sessionId, cmd.path("signal").asInt(15));
            case "update-title" ->
                status = terminals.title(sessionId, cmd.path("title").asText(""));
            default ->
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "unknown_command",
                        "unknown ControlCmd " + cmd.path("cmd").textValue()
                                + "; known: resize, kill, update-title, reset-size");
        }
        send(Frame.of(FrameType.STATUS_UPDATE, status.toString()));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        terminals.unsubscribe(sessionId, this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("ipc.sock of {}: {}", sessionId, cause.toString());
        ctx.close();
    }
}
