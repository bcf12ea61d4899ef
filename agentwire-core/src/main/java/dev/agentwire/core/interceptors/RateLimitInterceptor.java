package dev.agentwire.core.interceptors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.policy.TokenBucket;
import dev.agentwire.core.rpc.Call;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.protocol.ErrorCode;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Takes a token from the caller's bucket for every call; without one the call is answered with {@code -32004}
 * and {@code data.retryAfterMs}. Nothing is dropped silently. Which bucket is the hub's choice ({@code buckets}):
 * a stream connection's own, or, for HTTP, the identity's, so that opening a new connection per request does not
 * escape the limit.
 */
public final class RateLimitInterceptor implements Interceptor {

    private final Function<Connection, Optional<TokenBucket>> buckets;

    public RateLimitInterceptor(Function<Connection, Optional<TokenBucket>> buckets) {
        this.buckets = buckets;
    }

    @Override
    public CompletionStage<JsonNode> intercept(Call call, Chain next) {
        Optional<TokenBucket> bucket = buckets.apply(call.connection());
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
