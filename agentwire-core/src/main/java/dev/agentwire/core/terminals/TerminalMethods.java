package dev.agentwire.core.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * {@code terminals/spawn|list|kill|resize|title|input|key|notify|read|wait|attach|detach|ack} (scope
 * {@code terminals}).
 */
public final class TerminalMethods {

    private TerminalMethods() {}

    public static void register(MethodRegistry methods, TerminalService terminals) {
        register(methods, terminals, RemoteTerminals.NONE);
    }

    /**
     * With {@code remote}: {@code terminals/list} shows other hubs' terminals too, and kill, resize, title, input,
     * key, read and wait on a terminal of another hub are relayed there.
     */
    public static void register(MethodRegistry methods, TerminalService terminals, RemoteTerminals remote) {
        add(methods, "terminals/spawn", call -> terminals.spawn(spawn(call)).thenApply(r -> (JsonNode) r));
        add(methods, "terminals/list", call -> {
            com.fasterxml.jackson.databind.node.ObjectNode local = terminals.list();
            return remote.list().thenApply(others -> {
                local.withArray("terminals").addAll(others);
                return (JsonNode) local;
            });
        });
        Function<Function<Call, CompletionStage<JsonNode>>, Function<Call, CompletionStage<JsonNode>>> anyHub =
                body -> call -> {
                    String id = id(call);
                    if (!terminals.has(id)) {
                        Optional<CompletableFuture<JsonNode>> there = remote.relay(id, call.method(), call.params());
                        if (there.isPresent()) {
                            return there.get();
                        }
                    }
                    return body.apply(call);
                };
        add(
                methods,
                "terminals/kill",
                anyHub.apply(call -> now(terminals.kill(id(call), (int) number(call, "signal", 15)))));
        add(
                methods,
                "terminals/resize",
                anyHub.apply(call ->
                        now(terminals.resize(id(call), (int) required(call, "cols"), (int) required(call, "rows")))));
        add(
                methods,
                "terminals/title",
                anyHub.apply(call -> now(terminals.title(id(call), text(call, "title", true)))));
        add(methods, "terminals/input", anyHub.apply(call -> now(terminals.input(id(call), text(call, "text", true)))));
        add(methods, "terminals/key", anyHub.apply(call -> now(terminals.key(id(call), text(call, "key", true)))));
        add(
                methods,
                "terminals/notify",
                anyHub.apply(call -> now(terminals.hookNotified(
                        id(call), text(call, "event", true), Optional.ofNullable(text(call, "message", false))))));
        add(methods, "terminals/read", anyHub.apply(call -> {
            try {
                return now(terminals.read(id(call)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw HubException.of(ErrorCode.INTERNAL_ERROR, "interrupted", "interrupted");
            }
        }));
        // Returns at once; the pattern is matched on the terminals' match threads (see TerminalService.waitFor).
        add(
                methods,
                "terminals/wait",
                anyHub.apply(call -> terminals.waitFor(
                        id(call),
                        text(call, "pattern", true),
                        number(call, "timeoutMs", 10_000),
                        call.connection(),
                        call.id())));
        add(
                methods,
                "terminals/register",
                call -> now(terminals.register(
                        call.connection(),
                        text(call, "id", true),
                        spawn(call),
                        number(call, "pid", -1),
                        text(call, "scrollback", false),
                        text(call, "secret", false),
                        call.params().path("detached").asBoolean(false))));
        add(methods, "terminals/forward-output", call -> {
            terminals.forwardOutput(call.connection(), text(call, "id", true), text(call, "data", true));
            return now(dev.agentwire.protocol.Json.mapper().nullNode());
        });
        add(methods, "terminals/forward-exit", call -> {
            terminals.forwardExit(call.connection(), text(call, "id", true), (int) number(call, "exitCode", -1));
            return now(dev.agentwire.protocol.Json.mapper().nullNode());
        });
        add(methods, "terminals/attach", call -> {
            JsonNode frames = call.params().get("frames");
            if (frames != null && !frames.isBoolean()) {
                throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "frames must be true or false");
            }
            JsonNode flow = call.params().get("flowControl");
            if (flow != null && !flow.isBoolean()) {
                throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "flowControl must be true or false");
            }
            return now(terminals.attach(
                    id(call),
                    call.connection(),
                    Optional.ofNullable(frames).map(JsonNode::booleanValue),
                    flow != null && flow.booleanValue()));
        });
        add(methods, "terminals/ack", call -> {
            JsonNode chars = call.params().get("chars");
            if (chars == null || !chars.canConvertToLong() || chars.longValue() < 0) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS,
                        "invalid_params",
                        "terminals/ack needs chars: the characters drawn since the last ack (an integer >= 0)");
            }
            return now(terminals.ack(id(call), call.connection(), chars.longValue()));
        });
        add(methods, "terminals/detach", call -> now(terminals.detach(id(call), call.connection())));
    }

    private static void add(MethodRegistry methods, String name, Function<Call, CompletionStage<JsonNode>> body) {
        methods.register(name, Access.scope("terminals"), call -> {
            if (!call.params().isObject()
                    && !call.params().isMissingNode()
                    && !call.params().isNull()) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS, "invalid_params", name + " takes its params as an object");
            }
            return body.apply(call);
        });
    }

    private static CompletionStage<JsonNode> now(JsonNode value) {
        return CompletableFuture.completedFuture(value);
    }

    private static String id(Call call) {
        return text(call, "id", true);
    }

    private static String text(Call call, String field, boolean required) {
        JsonNode v = call.params().get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw HubException.of(
                        ErrorCode.INVALID_PARAMS, "invalid_params", call.method() + " needs \"" + field + "\"");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", field + " must be a string, got " + v);
        }
        return v.textValue();
    }

    private static long number(Call call, String field, long fallback) {
        JsonNode v = call.params().get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", field + " must be a whole number, got " + v);
        }
        return v.asLong();
    }

    private static long required(Call call, String field) {
        if (call.params().get(field) == null) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_params", call.method() + " needs \"" + field + "\"");
        }
        return number(call, field, 0);
    }

    private static TerminalService.Spawn spawn(Call call) {
        JsonNode p = call.params();
        List<String> command = new ArrayList<>();
        JsonNode cmd = p.get("command");
        if (cmd != null && cmd.isArray()) {
            cmd.forEach(c -> command.add(c.asText()));
        } else if (cmd != null && cmd.isTextual()) {
            command.add(cmd.textValue());
        } else {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_params",
                    "terminals/spawn needs \"command\": a program name or an array of program and arguments");
        }
        JsonNode args = p.get("args");
        if (args != null && !args.isNull()) {
            if (!args.isArray()) {
                throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "args must be an array of strings");
            }
            args.forEach(a -> command.add(a.asText()));
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode e = p.get("env");
        if (e != null && !e.isNull()) {
            if (!e.isObject()) {
                throw HubException.of(ErrorCode.INVALID_PARAMS, "invalid_params", "env must be an object of strings");
            }
            e.properties().forEach(x -> env.put(x.getKey(), x.getValue().asText()));
        }
        return new TerminalService.Spawn(
                command,
                text(call, "cwd", false),
                env,
                (int) number(call, "cols", 80),
                (int) number(call, "rows", 24),
                Optional.ofNullable(text(call, "name", false)));
    }
}
