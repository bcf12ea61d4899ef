package dev.agentwire.core.terminals;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import java.nio.file.Path;

/**
 * Terminals ({@code terminals/*}): shells on pseudo-terminals, their screens, waits and recordings, kept under
 * {@code controlDir}. Provides {@link TerminalService}.
 */
public final class TerminalsFeature implements Feature {

    private final Path controlDir;
    private final PtyLauncher launcher;
    private final TerminalService.Settings settings;
    private final RemoteTerminals remote;
    private final java.util.Optional<TerminalForwarders> forwarders;

    public TerminalsFeature(Path controlDir, PtyLauncher launcher, TerminalService.Settings settings) {
        this(controlDir, launcher, settings, RemoteTerminals.NONE);
    }

    /** @param remote other hubs' terminals (a cluster's), which this hub's callers reach too */
    public TerminalsFeature(
            Path controlDir, PtyLauncher launcher, TerminalService.Settings settings, RemoteTerminals remote) {
        this(controlDir, launcher, java.util.Optional.empty(), settings, remote);
    }

    /** @param forwarders what runs spawned terminals outside the hub, if anything does ({@link TerminalForwarders}) */
    public TerminalsFeature(
            Path controlDir,
            PtyLauncher launcher,
            java.util.Optional<TerminalForwarders> forwarders,
            TerminalService.Settings settings,
            RemoteTerminals remote) {
        this.forwarders = forwarders;
        this.controlDir = controlDir;
        this.launcher = launcher;
        this.settings = settings;
        this.remote = remote;
    }

    @Override
    public void install(HubContext hub) {
        TerminalService terminals =
                new TerminalService(controlDir, launcher, forwarders, hub.events(), hub.timers(), settings);
        TerminalMethods.register(hub.registry(), terminals, remote);
        hub.onCancelled(terminals::cancelled);
        hub.onClosed(terminals::connectionClosed);
        hub.onStop(terminals::close);
        hub.provide(TerminalService.class, terminals);
    }
}
