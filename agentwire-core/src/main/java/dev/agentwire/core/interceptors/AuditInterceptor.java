package dev.agentwire.core.interceptors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.audit.Audit;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.core.rpc.MethodRegistry;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Writes down the calls DESIGN.md §4 wants audited, once they passed the permission check: every call of a method
 * that needs {@code admin}, and terminal actions ({@code spawn}, {@code kill}, {@code input}, {@code key}) by anyone
 * but the owner. Terminal input is also told in the {@code input} event category (which terminal, who, how many
 * bytes; never the keys themselves). Never blocks.
 */
public final class AuditInterceptor implements Interceptor {

    private static final Set<String> TERMINAL_ACTIONS =
            Set.of("terminals/spawn", "terminals/kill", "terminals/input", "terminals/key");

    private final MethodRegistry registry;
    private final Audit audit;
    private final EventBus events;

    public AuditInterceptor(MethodRegistry registry, Audit audit, EventBus events) {
        this.registry = registry;
        this.audit = audit;
        this.events = events;
    }

    @Override
    public CompletionStage<JsonNode> intercept(Call call, Chain next) {
        String name = call.method();
        Connection c = call.connection();
        Optional<Method> method = registry.find(name);
        boolean admin = method.map(m -> m.access().kind() == Access.Kind.SCOPED
                        && m.access().toString().equals("admin"))
                .orElse(false);
        if (admin) {
            ObjectNode f = Audit.who(c);
            f.put("method", name);
            audit.recordOnly("admin_call", f);
        }
        if (TERMINAL_ACTIONS.contains(name)) {
            ObjectNode f = Audit.who(c);
            f.put("method", name);
            f.put("terminal", call.params().path("id").asText(""));
            if (name.equals("terminals/spawn")) {
                // What was asked to run, as sent: a string or an array, and its args.
                f.set("command", call.params().path("command").deepCopy());
                if (call.params().has("args")) {
                    f.set("args", call.params().path("args").deepCopy());
                }
            }
            if (!Scopes.allows(c.scopes(), "*")) {
                audit.recordOnly("terminal_action", f);
            }
            if (name.equals("terminals/input") || name.equals("terminals/key")) {
                JsonNode data = call.params().path(name.equals("terminals/input") ? "text" : "key");
                f.put(
                        "bytes",
                        data.isTextual()
                                ? data.textValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                                : 0);
                events.publish("input", name.substring("terminals/".length()), f);
            }
        }
        return next.proceed(call);
    }
}
