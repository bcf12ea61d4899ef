package dev.agentwire.core.tools;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.LocalDirectory;
import dev.agentwire.core.sessions.SessionManager;
import java.time.Duration;

/**
 * Tools: providers register them in their session, callers call them through the hub ({@code tools/*}). Needs
 * {@link SessionManager}; provides {@link ToolRelay} and {@link ToolTables}. The tools are kept in a
 * {@link Directory}.
 */
public final class ToolsFeature implements Feature {

    /**
     * The {@code tools} section.
     *
     * @param callTimeout how long a tool call waits for its provider unless it asks for another
     * @param maxResultBytes the largest tool result relayed to a caller
     * @param pageSize tools per {@code tools/list} page
     * @param maxPerSession tools one session may hold
     */
    @Setting.Section("tools")
    public record Settings(
            @Setting(
                    key = "callTimeoutMs",
                    value = "60000",
                    kind = Kind.MILLIS,
                    min = 1,
                    max = 86_400_000,
                    doc = "how long a tool call waits for its provider by default")
            Duration callTimeout,

            @Setting(
                    value = "8MiB",
                    kind = Kind.SIZE,
                    min = 64,
                    max = Integer.MAX_VALUE,
                    doc = "the largest tool result relayed to a caller")
            int maxResultBytes,

            @Setting(value = "100", kind = Kind.INTEGER, min = 1, max = 10_000, doc = "tools per tools/list page")
            int pageSize,

            @Setting(value = "1000", kind = Kind.INTEGER, min = 1, max = 1_000_000, doc = "tools one session may hold")
            int maxPerSession) {
        public Settings {
            if (maxResultBytes <= 0 || pageSize <= 0 || maxPerSession <= 0) {
                throw new IllegalArgumentException("tool limits must be positive: maxResultBytes=" + maxResultBytes
                        + " pageSize=" + pageSize + " maxPerSession=" + maxPerSession);
            }
        }

        /** The same values as the annotations say (tests and embedders without a configuration). */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(60), 8 << 20, 100, 1000);
        }
    }

    private final Settings settings;
    private final Directory<ToolTable.Entry> directory;

    /** Tools of one hub ({@link LocalDirectory}). */
    public ToolsFeature(Settings settings) {
        this(settings, new LocalDirectory<>());
    }

    /** @param directory where the sessions' tools are kept (shared with other hubs, or not) */
    public ToolsFeature(Settings settings, Directory<ToolTable.Entry> directory) {
        this.settings = settings;
        this.directory = directory;
    }

    @Override
    public void install(HubContext hub) {
        SessionManager sessions = hub.require(SessionManager.class);
        ToolRelay relay = new ToolRelay(hub.timers(), settings.callTimeout(), settings.maxResultBytes());
        ToolTables tables = new ToolTables(directory, settings.maxPerSession());
        ToolMethods.register(hub.registry(), relay, tables, sessions, settings.pageSize(), settings.maxPerSession());
        sessions.onLeave((session, connection) -> {
            if (tables.of(session).removeProvider(connection) > 0) {
                ToolMethods.notifyChanged(session, tables);
            }
        });
        sessions.onEnd((session, reason) -> {
            tables.of(session).clear();
            relay.sessionEnded(session.id(), reason);
        });
        sessions.describeWith(
                (session, out) -> out.put("tools", tables.of(session).size()));
        hub.onCancelled(relay::cancelled);
        hub.onProgress(relay::progress);
        hub.onMessage(relay::message);
        hub.onClosed(relay::callerGone);
        hub.onClosed(c -> tables.viewers().remove(c));
        hub.provide(ToolRelay.class, relay);
        hub.provide(ToolTables.class, tables);
    }
}
