package dev.agentwire.core.events;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;

/** {@code events/subscribe} and {@code events/unsubscribe}: what the hub's event bus sends each peer. */
public final class EventsFeature implements Feature {

    @Override
    public void install(HubContext hub) {
        EventMethods.register(hub.registry());
    }
}
