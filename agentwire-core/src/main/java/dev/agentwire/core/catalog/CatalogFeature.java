package dev.agentwire.core.catalog;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import dev.agentwire.core.sessions.SessionManager;
import java.time.Duration;
import java.util.EnumSet;

/**
 * Prompts and resources, registered by providers in their session as tools are. Needs {@link SessionManager}. A
 * hub's own: in a cluster each hub serves the prompts and resources registered on it.
 */
public final class CatalogFeature implements Feature {

    private final Duration timeout;
    private final int maxResultBytes;
    private final int maxPerSession;

    /**
     * @param timeout how long a relayed request waits for its provider (the hub passes {@code tools.callTimeoutMs})
     * @param maxResultBytes the largest answer relayed ({@code tools.maxResultBytes})
     * @param maxPerSession entries of each kind one session may hold ({@code tools.maxPerSession})
     */
    public CatalogFeature(Duration timeout, int maxResultBytes, int maxPerSession) {
        this.timeout = timeout;
        this.maxResultBytes = maxResultBytes;
        this.maxPerSession = maxPerSession;
    }

    @Override
    public void install(HubContext hub) {
        SessionManager sessions = hub.require(SessionManager.class);
        CatalogRelay relay = new CatalogRelay(hub.timers(), timeout, maxResultBytes);
        CatalogMethods methods = new CatalogMethods(sessions, relay, maxPerSession);
        methods.register(hub.registry());
        sessions.onLeave((session, connection) -> {
            if (methods.of(session).removeProvider(connection) > 0) {
                methods.changed(session, EnumSet.allOf(Kind.class));
            }
        });
        sessions.onEnd((session, reason) -> methods.of(session).clear());
        sessions.describeWith((session, out) -> {
            Catalog c = methods.of(session);
            if (c.size(Kind.PROMPT) + c.size(Kind.RESOURCE) + c.size(Kind.TEMPLATE) > 0) {
                out.put("prompts", c.size(Kind.PROMPT));
                out.put("resources", c.size(Kind.RESOURCE) + c.size(Kind.TEMPLATE));
            }
        });
        hub.onCancelled(relay::cancelled);
        hub.onProgress(relay::progress);
        hub.onClosed(relay::callerGone);
        hub.onClosed(methods::forget);
    }
}
