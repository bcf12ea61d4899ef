package dev.agentwire.server.web;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which {@code Host} and {@code Origin} values name this hub on its TCP port: the second checks after the
 * secret. {@code Host} must be {@code 127.0.0.1}, {@code localhost} or {@code [::1]} with the hub's port, the
 * address it is bound to, or an entry of {@code security.allowedHosts} (a name alone takes the hub's port), so
 * a page on a name an attacker re-points at 127.0.0.1 (DNS rebinding) is not served. {@code Origin} must be
 * {@code http://} and one of those hosts, or an entry of {@code security.allowedOrigins}. Both compare
 * without regard to case. Immutable.
 */
public final class WebOrigins {

    private static final Pattern WITH_PORT = Pattern.compile("(\\[[0-9a-f:.]+\\]|[^:\\[\\]]+):[0-9]{1,5}");

    private final int port;
    private final Set<String> hosts = new LinkedHashSet<>();
    private final Set<String> origins = new LinkedHashSet<>();

    /**
     * @param port the TCP port the hub is bound to
     * @param boundHost {@code server.host}; a wildcard address ({@code 0.0.0.0}, {@code ::}) adds nothing
     */
    public WebOrigins(int port, String boundHost, List<String> allowedHosts, List<String> allowedOrigins) {
        this.port = port;
        List<String> names = new ArrayList<>(List.of("127.0.0.1", "localhost", "[::1]"));
        String bound = boundHost.strip().toLowerCase(Locale.ROOT);
        if (!bound.isEmpty() && !bound.equals("0.0.0.0") && !bound.equals("::") && !bound.equals("[::]")) {
            names.add(bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound);
        }
        names.forEach(this::addHost);
        for (String h : allowedHosts) {
            addHost(h.strip().toLowerCase(Locale.ROOT));
        }
        hosts.forEach(h -> origins.add("http://" + h));
        for (String o : allowedOrigins) {
            origins.add(normalOrigin(o));
        }
    }

    private void addHost(String host) {
        if (host.isEmpty()) {
            return;
        }
        if (WITH_PORT.matcher(host).matches()) {
            hosts.add(host);
            return;
        }
        hosts.add(host + ":" + port);
        if (port == 80) {
            hosts.add(host); // a browser leaves the default port out of Host and Origin
        }
    }

    private static String normalOrigin(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    /** Whether a request's {@code Host} header names this hub. */
    public boolean hostAllowed(String host) {
        return host != null && hosts.contains(host.strip().toLowerCase(Locale.ROOT));
    }

    /** Whether a request's {@code Origin} header is the hub's own or an allowed one. */
    public boolean originAllowed(String origin) {
        return origin != null && origins.contains(normalOrigin(origin));
    }

    /** The Host values accepted, for messages. */
    public String hosts() {
        return String.join(", ", hosts);
    }
}
