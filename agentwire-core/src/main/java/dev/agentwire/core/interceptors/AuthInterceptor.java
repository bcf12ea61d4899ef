package dev.agentwire.core.interceptors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.core.rpc.MethodRegistry;
import dev.agentwire.protocol.ErrorCode;
import java.util.concurrent.CompletionStage;

/**
 * Lets an unauthenticated connection call only the open methods ({@code hub/hello}); anything else is answered
 * with {@code -32005} and the connection is closed.
 */
public final class AuthInterceptor implements Interceptor {

    private final MethodRegistry registry;

    public AuthInterceptor(MethodRegistry registry) {
        this.registry = registry;
    }

    @Override
    public CompletionStage<JsonNode> intercept(Call call, Chain next) {
        if (!call.connection().isAuthenticated()
                && !registry.find(call.method()).map(Method::open).orElse(false)) {
            HubException refusal = HubException.fatal(
                    ErrorCode.FORBIDDEN,
                    "unauthenticated",
                    "authenticate first: send hub/hello {\"token\": ...} before " + call.method());
            if (call.id().isEmpty()) {
                // A notification gets no reply, so say it without an id before closing.
                call.connection().outbound().closeWith(refusal.toRpcError());
            }
            throw refusal;
        }
        return next.proceed(call);
    }
}
