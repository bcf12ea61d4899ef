package dev.agentwire.server.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web assets the hub serves from its jar ({@code /client.js}, {@code /demo/tools.html}, {@code /terminals},
 * xterm.js), read once. They hold no data (a page gets its data over the WebSocket, after login), so they are
 * served to anyone. Each page comes with its Content-Security-Policy: its own scripts (the inline ones by
 * hash), no framing. Immutable.
 */
final class StaticFiles {

    /** One asset; {@code policy} is the page's Content-Security-Policy, empty for scripts and styles. */
    record Asset(byte[] bytes, String contentType, Optional<String> policy) {}

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

    private static final Pattern INLINE_SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);

    private final Map<String, Asset> assets;

    StaticFiles() {
        java.util.HashMap<String, Asset> loaded = new java.util.HashMap<>();
        FILES.forEach((path, type) -> {
            byte[] bytes = read("/web" + (path.equals("/terminals") ? "/terminals.html" : path));
            Optional<String> policy = type.startsWith("text/html") ? Optional.of(pagePolicy(bytes)) : Optional.empty();
            loaded.put(path, new Asset(bytes, type, policy));
        });
        VENDORED.forEach((path, from) -> loaded.put(path, new Asset(read(from[0]), from[1], Optional.empty())));
        this.assets = Map.copyOf(loaded);
    }

    Optional<Asset> find(String path) {
        return Optional.ofNullable(assets.get(path));
    }

    /**
     * A page may load the hub's own scripts, styles and images, run its inline scripts (allowed by their
     * SHA-256), talk to the hub (its WebSocket is {@code 'self'}), and may not be framed by anyone.
     */
    static String pagePolicy(byte[] page) {
        List<String> hashes = new ArrayList<>();
        Matcher m = INLINE_SCRIPT.matcher(new String(page, StandardCharsets.UTF_8));
        while (m.find()) {
            hashes.add("'sha256-" + sha256(m.group(1)) + "'");
        }
        return "default-src 'self'; script-src 'self' " + String.join(" ", hashes)
                + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self';"
                + " frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
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
