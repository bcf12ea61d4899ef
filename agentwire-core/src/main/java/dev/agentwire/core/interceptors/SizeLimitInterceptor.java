package dev.agentwire.core.interceptors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.protocol.ErrorCode;
import java.util.concurrent.CompletionStage;

/**
 * Refuses a message larger than {@code maxBytes} with {@code -32006} and closes the connection. The stream
 * framings enforce the same limit while decoding; this catches transports whose framing is not ours (WebSocket
 * messages, HTTP bodies) and applies one rule to all.
 */
public final class SizeLimitInterceptor implements Interceptor {

    private final int maxBytes;

    public SizeLimitInterceptor(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public CompletionStage<JsonNode> intercept(Call call, Chain next) {
        if (call.sizeBytes() > maxBytes) {
            var data = HubException.reasonData("too_large");
            data.put("limit", maxBytes);
            data.put("length", call.sizeBytes());
            throw HubException.withData(
                    ErrorCode.TOO_LARGE,
                    "message length (" + call.sizeBytes() + ") exceeds the allowed maximum (" + maxBytes + ")",
                    data);
        }
        return next.proceed(call);
    }
}
