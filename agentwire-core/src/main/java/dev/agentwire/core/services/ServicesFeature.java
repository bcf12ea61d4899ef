package dev.agentwire.core.services;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
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

    /**
     * The {@code services} section's knobs for the feature. ({@code services.sockets} and
     * {@code services.maxSockets} are the server's: it opens those sockets.)
     *
     * @param requestTimeout how long a request waits for its instance unless it asks for another
     */
    @Setting.Section("services")
    public record Settings(
            @Setting(
                    key = "requestTimeoutMs",
                    value = "30000",
                    kind = Kind.MILLIS,
                    min = 1,
                    max = 86_400_000,
                    doc = "how long a service request waits for its instance by default")
            Duration requestTimeout) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(30));
        }
    }

    private final Settings settings;
    private final Directory<Instance> directory;
    private final LoadShare loads;

    /** Services of one hub ({@link LocalDirectory}). */
    public ServicesFeature(Settings settings) {
        this(settings, new LocalDirectory<>(), LoadShare.local());
    }

    /**
     * @param directory where the instances are kept (shared with other hubs, or not)
     * @param loads where their requests in flight are counted (every hub's, or this one's)
     */
    public ServicesFeature(Settings settings, Directory<Instance> directory, LoadShare loads) {
        this.settings = settings;
        this.directory = directory;
        this.loads = loads;
    }

    @Override
    public void install(HubContext hub) {
        ServiceRelay relay = new ServiceRelay(
                new ServiceRegistry(directory, loads), hub.timers(), hub.ticker(), settings.requestTimeout());
        ServiceMethods.register(hub.registry(), relay, hub.events());
        hub.onCancelled(relay::cancelled);
        hub.onProgress((c, p) -> relay.progressFrom(c, p));
        hub.onMessage((c, p) -> relay.messageFrom(c, p));
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
