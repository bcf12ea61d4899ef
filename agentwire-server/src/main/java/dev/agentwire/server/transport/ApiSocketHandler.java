package dev.agentwire.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.git.GitFollower;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.netty.StreamFailure;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Frame;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.RpcError;
import dev.agentwire.protocol.Text;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * {@code AGENTWIRE_HOME/api.sock} (VibeTunnel seed): one {@code {"command": ..., "args": {...}}} per line, one
 * JSON answer per line: {@code {"ok": true, "result": ...}} or {@code {"ok": false, "error": {code, message}}}.
 * Commands: {@code status}, {@code sessions} (the terminal sessions), {@code title {id, title}},
 * {@code follow {path}}, {@code unfollow {path?}}. Commands run off the event loop, one after the other per
 * connection.
 */
final class ApiSocketHandler extends ChannelInboundHandlerAdapter {

    /** Where commands run: the hub's {@link HandlerPools#api()}. */
    private final Executor work;

    private final Map<String, Function<JsonNode, JsonNode>> commands = new TreeMap<>();
    /** The last line's command; the next runs after it (touched only on the event loop). */
    private java.util.concurrent.CompletableFuture<Void> tail =
            java.util.concurrent.CompletableFuture.completedFuture(null);

    ApiSocketHandler(HubCore core, Executor work) {
        this.work = work;
        // The hub's status and, for the owner only (hub/status is open to any token), what git follow mode follows.
        commands.put(
                "status",
                args -> core.status().set("git", core.require(GitFollower.class).status()));
        commands.put("sessions", args -> core.require(TerminalService.class).list());
        commands.put("title", args -> core.require(TerminalService.class).title(text(args, "id"), text(args, "title")));
        commands.put("follow", args -> core.require(GitFollower.class).follow(Path.of(text(args, "path"))));
        commands.put(
                "unfollow",
                args -> Json.mapper()
                        .createObjectNode()
                        .put(
                                "unfollowed",
                                core.require(GitFollower.class)
                                        .unfollow(
                                                args.path("path").isTextual()
                                                        ? Path.of(args.path("path")
                                                                .textValue())
                                                        : null)));
    }

    private static String text(JsonNode args, String field) {
        JsonNode v = args.get(field);
        if (v == null || !v.isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", "args." + field + " (a string) is needed");
        }
        return v.textValue();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof StreamFailure failure) {
            answer(ctx, error(failure.error())).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        // Off the event loop (follow reads and watches files), one line after the other.
        tail = tail.thenRunAsync(
                () -> {
                    ObjectNode out;
                    try {
                        out = run(frame.payload());
                    } catch (HubException e) {
                        out = error(e.toRpcError());
                    } catch (RuntimeException e) {
                        out = error(RpcError.of(
                                ErrorCode.INTERNAL_ERROR, String.valueOf(e.getMessage()), "internal_error"));
                    }
                    answer(ctx, out);
                },
                work);
    }

    private ObjectNode run(byte[] line) {
        JsonNode request;
        try {
            request = Json.mapper().readTree(line);
        } catch (IOException e) {
            throw HubException.of(
                    ErrorCode.PARSE_ERROR, "malformed_json", "not JSON: " + Text.firstLine(e.getMessage()));
        }
        if (request == null || !request.isObject() || !request.path("command").isTextual()) {
            throw HubException.of(
                    ErrorCode.INVALID_REQUEST,
                    "invalid_request",
                    "expected {\"command\": " + commands.keySet() + ", \"args\": {...}}");
        }
        String name = request.path("command").textValue();
        Function<JsonNode, JsonNode> command = commands.get(name);
        if (command == null) {
            throw HubException.of(
                    ErrorCode.METHOD_NOT_FOUND,
                    "unknown_command",
                    "unknown command " + name + "; known: " + commands.keySet());
        }
        JsonNode args = request.path("args").isObject()
                ? request.path("args")
                : Json.mapper().createObjectNode();
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("ok", true);
        out.put("command", name);
        out.set("result", command.apply(args));
        return out;
    }

    private static ObjectNode error(RpcError e) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("ok", false);
        ObjectNode err = out.putObject("error");
        err.put("code", e.code());
        err.put("message", e.message());
        if (!e.data().isMissingNode()) {
            err.set("data", e.data());
        }
        return out;
    }

    private static io.netty.channel.ChannelFuture answer(ChannelHandlerContext ctx, ObjectNode out) {
        byte[] bytes = (out.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        return ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }

    /** {@code echo '{"command":"status"}' | nc -N -U api.sock}: answer what was asked, then close. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // Behind the answers already queued on the event loop, never inline before them.
            tail = tail.thenRun(() -> ctx.executor()
                    .execute(() -> ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE)));
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
