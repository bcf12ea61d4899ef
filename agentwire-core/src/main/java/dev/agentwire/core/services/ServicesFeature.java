package dev.agentwire.core.services;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import dev.agentwire.protocol.Json;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;

/**
 * Named services: instances register, callers send requests that the hub routes to one of them
 * ({@code services/*}). Provides {@link ServiceRelay}.
 */
public final class ServicesFeature implements Feature {

    private final Duration requestTimeout;

    /** @param requestTimeout how long a request waits for its instance unless it asks for another */
    public ServicesFeature(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    @Override
    public void install(HubContext hub) {
        ServiceRelay relay = new ServiceRelay(new ServiceRegistry(), hub.timers(), hub.ticker(), requestTimeout);
        ServiceMethods.register(hub.registry(), relay, hub.events());
        hub.onCancelled(relay::cancelled);
        hub.onClosed(c -> {
            for (String service : relay.registry().remove(c)) {
                hub.events()
                        .publish(
                                "services",
                                "unregistered",
                                Json.mapper()
                                        .createObjectNode()
                                        .put("service", service)
                                        .put("connectionId", c.id()));
            }
            relay.callerGone(c);
        });
        hub.meters(
                meters -> Gauge.builder("agentwire.service.instances", relay.registry(), ServiceRegistry::instanceCount)
                        .description("live service instances")
                        .register(meters));
        hub.provide(ServiceRelay.class, relay);
    }
}
