package dev.agentwire.core.services;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.LocalDirectory;
import dev.agentwire.protocol.Json;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;

/**
 * Named services: instances register, callers send requests that the hub routes to one of them
 * ({@code services/*}). The instances are kept in a {@link Directory}. Provides {@link ServiceRelay}.
 */
public final class ServicesFeature implements Feature {

    private final Duration requestTimeout;
    private final Directory<Instance> directory;

    /** Services of one hub ({@link LocalDirectory}). */
    public ServicesFeature(Duration requestTimeout) {
        this(requestTimeout, new LocalDirectory<>());
    }

    /**
     * @param requestTimeout how long a request waits for its instance unless it asks for another
     * @param directory where the instances are kept (shared with other hubs, or not)
     */
    public ServicesFeature(Duration requestTimeout, Directory<Instance> directory) {
        this.requestTimeout = requestTimeout;
        this.directory = directory;
    }

    @Override
    public void install(HubContext hub) {
        ServiceRelay relay =
                new ServiceRelay(new ServiceRegistry(directory), hub.timers(), hub.ticker(), requestTimeout);
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
