package dev.agentwire.core;

import dev.agentwire.core.auth.TokensFeature;
import dev.agentwire.core.events.EventsFeature;
import dev.agentwire.core.git.GitFeature;
import dev.agentwire.core.hub.HubFeature;
import dev.agentwire.core.rooms.RoomsFeature;
import dev.agentwire.core.router.RouterFeature;
import dev.agentwire.core.services.ServicesFeature;
import dev.agentwire.core.sessions.SessionsFeature;
import dev.agentwire.core.tools.ToolsFeature;
import java.util.List;

/** The features of a hub without terminals, on their defaults and in memory: what the core's tests assemble. */
public final class StandardFeatures {

    private StandardFeatures() {}

    public static List<Feature> all() {
        return List.of(
                new HubFeature(),
                new EventsFeature(),
                new TokensFeature(),
                new SessionsFeature(SessionsFeature.Settings.defaults()),
                new ToolsFeature(ToolsFeature.Settings.defaults()),
                new ServicesFeature(ServicesFeature.Settings.defaults()),
                RoomsFeature.inMemory(),
                new GitFeature(),
                RouterFeature.defaults());
    }

    public static HubCore hub(CoreSettings settings, Ticker ticker) {
        return HubCore.builder(settings, ticker).features(all()).build();
    }
}
