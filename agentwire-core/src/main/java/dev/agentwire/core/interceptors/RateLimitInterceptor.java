package dev.agentwire.core.interceptors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.core.policy.TokenBucket;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.protocol.ErrorCode;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Takes a token from the connection's bucket for every call; without one the call is answered with
 * {@code -32004} and {@code data.retryAfterMs}. Nothing is dropped silently.
 */
public final class RateLimitInterceptor implements Interceptor {

    @Override
    public CompletionStage<JsonNode> intercept(Call call, Chain next) {
        Optional<TokenBucket> bucket = call.connection().rate();
        if (bucket.isPresent()) {
            long waitMs = bucket.get().tryTake();
            if (waitMs > 0) {
                call.connection().recordRateLimited();
                var data = HubException.reasonData("rate_limited");
                data.put("retryAfterMs", waitMs);
                data.put("limitPerSecond", bucket.get().ratePerSecond());
                data.put("burst", bucket.get().burst());
                throw HubException.withData(
                        ErrorCode.RATE_LIMITED,
                        "rate limit of " + (long) bucket.get().ratePerSecond() + " calls/s (burst "
                                + bucket.get().burst() + ") exceeded; retry in " + waitMs + " ms",
                        data);
            }
        }
        return next.proceed(call);
    }
}
