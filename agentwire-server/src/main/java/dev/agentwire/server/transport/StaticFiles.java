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
 * The web assets the hub serves from its jar (the dashboard at {@code /} and its modules under
 * {@code /dashboard/}, {@code /client.js}, {@code /demo/tools.html}, {@code /terminals}, xterm.js), read once. They hold no data (a page gets its data over the WebSocket, after login), so they are
 * served to anyone. Each page comes with its Content-Security-Policy: its own scripts (the inline ones by
 * hash), no framing. Immutable.
 */
final class StaticFiles {

    /** One asset; {@code policy} is the page's Content-Security-Policy, empty for scripts and styles. */
    record Asset(byte[] bytes, String contentType, Optional<String> policy) {}

    private static final String HTML = "text/html; charset=utf-8";
    private static final String SCRIPT = "text/javascript; charset=utf-8";
    private static final String STYLE = "text/css; charset=utf-8";

    /** Each path the hub serves, and the resource under {@code /web} that holds it. */
    private static final Map<String, String[]> FILES = Map.ofEntries(
            Map.entry("/", new String[] {"/web/dashboard/index.html", HTML}),
            Map.entry("/dashboard/dashboard.css", new String[] {"/web/dashboard/dashboard.css", STYLE}),
            Map.entry("/dashboard/app.js", new String[] {"/web/dashboard/app.js", SCRIPT}),
            Map.entry("/dashboard/dom.js", new String[] {"/web/dashboard/dom.js", SCRIPT}),
            Map.entry("/dashboard/schema.js", new String[] {"/web/dashboard/schema.js", SCRIPT}),
            Map.entry("/dashboard/views.js", new String[] {"/web/dashboard/views.js", SCRIPT}),
            Map.entry("/dashboard/tools.js", new String[] {"/web/dashboard/tools.js", SCRIPT}),
            Map.entry("/dashboard/rooms.js", new String[] {"/web/dashboard/rooms.js", SCRIPT}),
            Map.entry("/client.js", new String[] {"/web/client.js", SCRIPT}),
            Map.entry("/demo/tools.html", new String[] {"/web/demo/tools.html", HTML}),
            Map.entry("/terminals", new String[] {"/web/terminals.html", HTML}),
            Map.entry("/terminals.js", new String[] {"/web/terminals.js", SCRIPT}));

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
        FILES.forEach((path, from) -> {
            byte[] bytes = read(from[0]);
            Optional<String> policy = from[1].equals(HTML) ? Optional.of(pagePolicy(bytes)) : Optional.empty();
            loaded.put(path, new Asset(bytes, from[1], policy));
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
