package dev.agentwire.core.interceptors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.audit.Audit;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.auth.TokenService;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The one place permissions are checked, from what each method declared when it registered ({@link Access}):
 *
 * <ol>
 *   <li>an unauthenticated connection may call only open methods ({@code hub/hello}); anything else is answered
 *       with {@code -32005} and the connection is closed;
 *   <li>the connection's credential must still hold: a scoped token that expired or was revoked since it was
 *       presented ends the connection ({@code token_expired}, {@code token_revoked});
 *   <li>the connection must hold every scope the call needs ({@code -32005} with {@code data.scope}).
 * </ol>
 */
public final class AuthInterceptor implements Interceptor {

    private final MethodRegistry registry;
    private final TokenService tokens;
    private final Audit audit;

    public AuthInterceptor(MethodRegistry registry, TokenService tokens, Audit audit) {
        this.registry = registry;
        this.tokens = tokens;
        this.audit = audit;
    }

    @Override
    public CompletionStage<JsonNode> intercept(Call call, Chain next) {
        Connection c = call.connection();
        Optional<Method> method = registry.find(call.method());
        Optional<TokenService.Grant> grant = c.grant();
        if (grant.isEmpty()) {
            if (method.map(Method::open).orElse(false)) {
                return next.proceed(call);
            }
            throw refuse(
                    call,
                    HubException.fatal(
                            ErrorCode.FORBIDDEN,
                            "unauthenticated",
                            "authenticate first: send hub/hello {\"token\": ...} before " + call.method()));
        }
        try {
            tokens.recheck(grant.get());
        } catch (HubException e) {
            throw refuse(call, e);
        }
        if (method.isPresent()) {
            List<String> required;
            try {
                required = method.get().access().required(call); // may refuse by itself (an inbox)
            } catch (HubException e) {
                throw refuse(call, e);
            }
            for (String scope : required) {
                try {
                    Scopes.require(c, scope);
                } catch (HubException e) {
                    throw refuse(call, e);
                }
            }
        }
        return next.proceed(call);
    }

    /**
     * Audits the refusal; a notification gets no reply, so a fatal refusal is said without an id before the close.
     */
    private HubException refuse(Call call, HubException refusal) {
        ObjectNode f = Audit.who(call.connection());
        f.put("method", call.method());
        f.put("reason", refusal.toRpcError().reason());
        f.put("message", refusal.getMessage());
        audit.record("call_refused", f);
        if (call.id().isEmpty() && refusal.fatal()) {
            call.connection().outbound().closeWith(refusal.toRpcError());
        }
        return refusal;
    }
}
