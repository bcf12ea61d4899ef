package dev.agentwire.server.testing;

import dev.agentwire.server.AgentwireHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Starts real hubs on short temporary paths (socket paths must stay under 107 bytes). */
public final class TestHubs {

    private TestHubs() {}

    /** A new empty directory under /tmp with a short name. */
    public static Path shortTempDir() throws IOException {
        return Files.createTempDirectory(Path.of("/tmp"), "aw");
    }

    /** A started hub in {@code home} with an ephemeral TCP port, after {@code tweak} adjusts the builder. */
    public static AgentwireHub start(Path home, UnaryOperator<AgentwireHub.Builder> tweak) {
        AgentwireHub.Builder b = AgentwireHub.builder()
                .home(home.resolve("home"))
                .set("clientPort", "0")
                .set("limits.shutdownGraceMs", "2000");
        return tweak.apply(b).build().start();
    }

    public static AgentwireHub start(Path home) {
        return start(home, b -> b);
    }
}
