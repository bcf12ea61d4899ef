package dev.agentwire.server.testing;

import dev.agentwire.server.AgentwireHub;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A hub in a process of its own, for tests that need one (a umask of its own): {@code HubProcess HOME
 * [KEY=VALUE...]} starts a hub in HOME with those settings, prints {@code HUB-READY <socket>} and runs until its
 * standard input closes.
 */
public final class HubProcess {

    /** What the process prints once the hub listens, before the socket path. */
    public static final String READY = "HUB-READY ";

    private HubProcess() {}

    public static void main(String[] args) throws IOException {
        AgentwireHub.Builder b = AgentwireHub.builder()
                .home(Path.of(args[0]))
                .set("clientPort", "0")
                .set("limits.shutdownGraceMs", "2000");
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            b.set(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try (AgentwireHub hub = b.build().start()) {
            System.out.println(READY + hub.config().socketPath());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our input
            }
        }
    }
}
