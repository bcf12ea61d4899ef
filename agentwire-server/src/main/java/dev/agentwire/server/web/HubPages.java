package dev.agentwire.server.web;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The hub's own pages that a browser login may lead to, by the names {@code aw open} takes ({@code dashboard},
 * {@code terminals}, {@code demo}). A login's {@code next} must be one of them (with a plain query), so a login URL cannot
 * redirect anywhere else. Immutable.
 */
public final class HubPages {

    /** Where a login leads when it does not say. */
    public static final String DEFAULT = "/";

    private static final Map<String, String> BY_NAME = byName();

    /** What a {@code next} query may hold: no scheme, no fragment, nothing to break a header. */
    private static final Pattern QUERY = Pattern.compile("[A-Za-z0-9._~%=&+:,\\-]*");

    private HubPages() {}

    private static Map<String, String> byName() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dashboard", "/");
        m.put("terminals", "/terminals");
        m.put("demo", "/demo/tools.html");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The page names, for messages. */
    public static String names() {
        return String.join(", ", BY_NAME.keySet());
    }

    /** The path of a page given by name ({@code dashboard}, {@code terminals}) or path ({@code /demo/tools.html}, {@code demo/tools.html}). */
    public static Optional<String> path(String nameOrPath) {
        String s = nameOrPath.strip();
        if (BY_NAME.containsKey(s)) {
            return Optional.of(BY_NAME.get(s));
        }
        String asPath = s.startsWith("/") ? s : "/" + s;
        return BY_NAME.containsValue(asPath) ? Optional.of(asPath) : Optional.empty();
    }

    /** The name {@code aw open} takes for the page at {@code path} (the default page's for anything else). */
    public static String name(String path) {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        return BY_NAME.entrySet().stream()
                .filter(e -> e.getValue().equals(p))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("dashboard");
    }

    /** {@code next} if it is one of the pages, optionally with a plain query; otherwise empty. */
    public static Optional<String> checkNext(String next) {
        int q = next.indexOf('?');
        String path = q < 0 ? next : next.substring(0, q);
        String query = q < 0 ? "" : next.substring(q + 1);
        if (!BY_NAME.containsValue(path) || !QUERY.matcher(query).matches()) {
            return Optional.empty();
        }
        return Optional.of(next);
    }
}
