package dev.agentwire.core.router;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import io.micrometer.core.instrument.Gauge;
import java.time.Clock;

/** The LLM router ({@code router/*}): picks a provider for a request and keeps the day's spend. */
public final class RouterFeature implements Feature {

    private final RouterSettings settings;
    private final SpendLedger ledger;

    public RouterFeature(RouterSettings settings, SpendLedger ledger) {
        this.settings = settings;
        this.ledger = ledger;
    }

    /** The default providers, the day's spend kept in memory. */
    public static RouterFeature defaults() {
        return new RouterFeature(RouterSettings.defaults(), SpendLedger.inMemory());
    }

    @Override
    public void install(HubContext hub) {
        LlmRouter router = new LlmRouter(settings, Clock.systemUTC(), ledger);
        RouterMethods.register(hub.registry(), router);
        hub.meters(meters -> Gauge.builder(
                        "agentwire.router.spend",
                        router,
                        r -> r.budget().path("current_spend").asDouble())
                .description("the LLM router's spend today, in dollars")
                .baseUnit("dollars")
                .register(meters));
        hub.provide(LlmRouter.class, router);
    }
}
