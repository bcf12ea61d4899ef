package dev.agentwire.core;

import dev.agentwire.core.auth.Revocations;
import dev.agentwire.core.interceptors.AuditInterceptor;
import dev.agentwire.core.interceptors.AuthInterceptor;
import dev.agentwire.core.interceptors.MetricsInterceptor;
import dev.agentwire.core.interceptors.RateLimitInterceptor;
import dev.agentwire.core.interceptors.SizeLimitInterceptor;
import dev.agentwire.core.interceptors.TraceInterceptor;
import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Interceptor;
import dev.agentwire.protocol.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Assembles a {@link HubCore} from the kernel's settings and a list of features, installed in the order given (a
 * feature that needs another's service comes after it). The hub is sealed once built: no feature installs later.
 */
public final class HubBuilder {

    private final CoreSettings settings;
    private final Ticker ticker;
    private final List<Feature> features = new ArrayList<>();
    private Revocations revocations = Revocations.inMemory();
    private Clock clock = Clock.systemUTC();

    HubBuilder(CoreSettings settings, Ticker ticker) {
        this.settings = settings;
        this.ticker = ticker;
    }

    /** Where revoked token ids are kept (in memory unless given). */
    public HubBuilder revocations(Revocations revocations) {
        this.revocations = revocations;
        return this;
    }

    /** The wall clock tokens are checked against (the system's unless given). */
    public HubBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    public HubBuilder feature(Feature feature) {
        features.add(feature);
        return this;
    }

    public HubBuilder features(List<? extends Feature> more) {
        features.addAll(more);
        return this;
    }

    public HubCore build() {
        HubCore core = new HubCore(settings, ticker, revocations, clock);
        HubContext context = new HubContext(core, core.hooks());
        for (Feature f : features) {
            f.install(context);
        }
        context.seal();
        // One notifications/cancelled for every relay: the id names a call of whichever feature knows it.
        core.registry().register("notifications/cancelled", Access.authenticated(), call -> {
            core.hooks().cancel(call.connection(), call.params());
            return CompletableFuture.completedFuture(Json.mapper().nullNode());
        });
        // One notifications/progress for every relay: the token names a call of whichever feature made it.
        core.registry()
                .register(dev.agentwire.core.rpc.Method.inline(
                        "notifications/progress", Access.authenticated(), call -> {
                            core.hooks().progress(call.connection(), call.params());
                            return CompletableFuture.completedFuture(
                                    Json.mapper().nullNode());
                        }));
        // A provider's log messages reach whoever waits on it (MCP's notifications/message).
        core.registry()
                .register(dev.agentwire.core.rpc.Method.inline(
                        "notifications/message", Access.authenticated(), call -> {
                            core.hooks().message(call.connection(), call.params());
                            return CompletableFuture.completedFuture(
                                    Json.mapper().nullNode());
                        }));
        core.start(chain(core));
        return core;
    }

    /** The kernel's interceptors (tracing, metrics, authentication, audit, limits), then the features'. */
    private List<Interceptor> chain(HubCore core) {
        List<Interceptor> chain = new ArrayList<>();
        if (settings.trace()) {
            chain.add(new TraceInterceptor());
        }
        chain.add(new MetricsInterceptor(core.metrics(), core.registry(), ticker));
        chain.add(new AuthInterceptor(core.registry(), core.tokens(), core.audit()));
        chain.add(new AuditInterceptor(core.registry(), core.audit(), core.events()));
        chain.add(new SizeLimitInterceptor(settings.maxMessageBytes()));
        chain.add(new RateLimitInterceptor(core.logins()::bucketFor));
        chain.addAll(core.hooks().interceptors);
        return chain;
    }
}
