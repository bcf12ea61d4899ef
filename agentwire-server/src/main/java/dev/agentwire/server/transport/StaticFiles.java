package dev.agentwire.server.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/** The web assets the hub serves from its jar ({@code /client.js}, {@code /demo/tools.html}), read once. */
final class StaticFiles {

    /** One asset. */
    record Asset(byte[] bytes, String contentType) {}

    private static final Map<String, String> FILES = Map.of(
            "/client.js", "text/javascript; charset=utf-8",
            "/demo/tools.html", "text/html; charset=utf-8",
            "/terminals", "text/html; charset=utf-8");

    /** xterm.js from its WebJar on the classpath, served under /vendor/xterm/. */
    private static final Map<String, String[]> VENDORED = Map.of(
            "/vendor/xterm/xterm.js",
            new String[] {"/META-INF/resources/webjars/xterm/4.9.0/lib/xterm.js", "text/javascript; charset=utf-8"},
            "/vendor/xterm/xterm.css",
            new String[] {"/META-INF/resources/webjars/xterm/4.9.0/css/xterm.css", "text/css; charset=utf-8"});

    private final Map<String, Asset> assets;

    StaticFiles() {
        java.util.HashMap<String, Asset> loaded = new java.util.HashMap<>();
        FILES.forEach((path, type) -> loaded.put(
                path, new Asset(read("/web" + (path.equals("/terminals") ? "/terminals.html" : path)), type)));
        VENDORED.forEach((path, from) -> loaded.put(path, new Asset(read(from[0]), from[1])));
        this.assets = Map.copyOf(loaded);
    }

    Optional<Asset> find(String path) {
        return Optional.ofNullable(assets.get(path));
    }

    private static byte[] read(String resource) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("web asset " + resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
