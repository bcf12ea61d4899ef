package dev.agentwire.core.router;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import io.micrometer.core.instrument.Gauge;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LLM router ({@code router/*}): picks a provider for a request and keeps the day's spend. Every
 * {@code router.healthIntervalMs} (the seed's 5 minutes) it checks the providers' health URLs, from the hub's start
 * on, and logs the day's spend. The timer only starts the checks; the probe runs them on its own thread.
 */
public final class RouterFeature implements Feature {

    private static final Logger log = LoggerFactory.getLogger(RouterFeature.class);

    private final RouterSettings settings;
    private final SpendLedger ledger;
    private final Supplier<HealthProbe> probe;

    public RouterFeature(RouterSettings settings, SpendLedger ledger) {
        this(settings, ledger, HttpHealthProbe::new);
    }

    /** A router whose health URLs are asked through the probe {@code probe} makes at install. */
    public RouterFeature(RouterSettings settings, SpendLedger ledger, Supplier<HealthProbe> probe) {
        this.settings = settings;
        this.ledger = ledger;
        this.probe = probe;
    }

    /** The default providers, the day's spend kept in memory. */
    public static RouterFeature defaults() {
        return new RouterFeature(RouterSettings.defaults(), SpendLedger.inMemory());
    }

    @Override
    public void install(HubContext hub) {
        ProviderHealth health =
                new ProviderHealth(settings.providers(), probe.get(), settings.healthTimeout(), Clock.systemUTC());
        LlmRouter router = new LlmRouter(settings, Clock.systemUTC(), ledger, health);
        RouterMethods.register(hub.registry(), router);
        long every = settings.healthInterval().toMillis();
        if (health.monitors()) {
            hub.timers().scheduleWithFixedDelay(health::checkAll, 0, every, TimeUnit.MILLISECONDS);
        }
        hub.timers()
                .scheduleWithFixedDelay(
                        () -> log.info("{}", router.spendingStatus()), every, every, TimeUnit.MILLISECONDS);
        hub.onStop(health);
        hub.meters(meters -> Gauge.builder(
                        "agentwire.router.spend",
                        router,
                        r -> r.spending().path("current_spend").asDouble())
                .description("the LLM router's spend today, in dollars")
                .baseUnit("dollars")
                .register(meters));
        hub.provide(LlmRouter.class, router);
    }
}
