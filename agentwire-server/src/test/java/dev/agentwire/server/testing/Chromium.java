package dev.agentwire.server.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Debian's headless Chromium for the tests that need a real browser (CI installs it). */
public final class Chromium {

    public static final Path PATH = Path.of("/usr/bin/chromium");

    private Chromium() {}

    public static boolean installed() {
        return Files.isExecutable(PATH);
    }

    /** Chromium opening {@code url} with its own profile in {@code profile}; its log goes beside the profile. */
    public static Process start(String url, Path profile) throws IOException {
        return new ProcessBuilder(List.of(
                        PATH.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--disable-dev-shm-usage",
                        "--user-data-dir=" + profile,
                        url))
                .redirectErrorStream(true)
                .redirectOutput(profile.resolveSibling("chromium.log").toFile())
                .start();
    }
}
