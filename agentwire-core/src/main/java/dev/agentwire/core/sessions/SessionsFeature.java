package dev.agentwire.core.sessions;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.LocalDirectory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Sessions: every connection is in one (the default at first), {@code sessions/*} and {@code hub/hello}'s
 * {@code session} move it, and a session whose time is up ends. Provides {@link SessionManager}. With a
 * {@link SessionStore}, the sessions this hub creates are kept there until they end; the hub calls
 * {@link SessionManager#restore()} at start to bring them back. The feature closes the store when the hub stops.
 */
public final class SessionsFeature implements Feature {

    /**
     * The {@code sessions} section. ({@code sessions.maxTtlSeconds} is the kernel's, in {@code TrustLimits}.)
     *
     * @param ttl lifetime of a created session unless it asks for another
     * @param idleTimeout a session without calls this long expires; zero never
     */
    @Setting.Section("sessions")
    public record Settings(
            @Setting(
                    value = "3600",
                    kind = Kind.SECONDS,
                    min = 1,
                    max = Integer.MAX_VALUE,
                    doc = "session lifetime in seconds")
            Duration ttl,

            @Setting(
                    value = "0",
                    kind = Kind.SECONDS,
                    min = 0,
                    max = Integer.MAX_VALUE,
                    doc = "idle session expiry in seconds; 0 never")
            Duration idleTimeout) {
        public static Settings defaults() {
            return new Settings(Duration.ofHours(1), Duration.ZERO);
        }
    }

    private final Settings settings;
    private final Directory<Session.Info> directory;
    private final SessionStore store;

    /** Sessions of one hub ({@link LocalDirectory}). */
    public SessionsFeature(Settings settings) {
        this(settings, new LocalDirectory<>());
    }

    /** @param directory where the sessions are kept (shared with other hubs, or not) */
    public SessionsFeature(Settings settings, Directory<Session.Info> directory) {
        this(settings, directory, SessionStore.NONE);
    }

    /** Sessions of one hub, kept in {@code store} so that they outlive a restart. */
    public SessionsFeature(Settings settings, SessionStore store) {
        this(settings, new LocalDirectory<>(), store);
    }

    private SessionsFeature(Settings settings, Directory<Session.Info> directory, SessionStore store) {
        this.settings = settings;
        this.directory = directory;
        this.store = store;
    }

    @Override
    public void install(HubContext hub) {
        SessionManager sessions = new SessionManager(
                hub.ticker(),
                hub.events(),
                settings.ttl(),
                settings.idleTimeout(),
                hub.settings().limits().maxSessionsPerIdentity(),
                directory,
                store);
        hub.onStop(store);
        SessionMethods.register(
                hub.registry(), sessions, hub.ticker(), hub.settings().limits().maxSessionTtl());
        hub.onOpened(sessions::enter);
        hub.onClosed(sessions::remove);
        hub.intercept((call, next) -> {
            Session s = SessionManager.sessionOf(call.connection());
            if (s != null) {
                s.touch(call.receivedNanos());
            }
            return next.proceed(call);
        });
        hub.onHello((c, params, reply) -> {
            String id = params.path("session").asText("");
            if (!id.isEmpty()) {
                sessions.join(c, id);
            }
            reply.put("sessionId", SessionManager.sessionOf(c).id());
        });
        hub.describeConnections((c, out) -> {
            Session s = SessionManager.sessionOf(c);
            out.put("session", s == null ? null : s.id());
        });
        hub.timers().scheduleWithFixedDelay(sessions::expireDue, 1, 1, TimeUnit.SECONDS);
        hub.provide(SessionManager.class, sessions);
    }
}
