package dev.agentwire.server.web;

import java.util.List;

/**
 * What the TCP port's HTTP side needs to decide who gets in: the Host and Origin settings
 * ({@code security.allowedHosts}, {@code security.allowedOrigins}, {@code server.host}) and the hub's browser
 * logins. Immutable; the logins inside are shared and thread safe.
 */
public record WebAccess(
        String boundHost, List<String> allowedHosts, List<String> allowedOrigins, BrowserLogins logins) {

    public WebAccess {
        allowedHosts = List.copyOf(allowedHosts);
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** The Host and Origin checks for the hub bound to {@code port}. */
    public WebOrigins origins(int port) {
        return new WebOrigins(port, boundHost, allowedHosts, allowedOrigins);
    }

    /** A login URL for {@code code}, on the address browsers reach the hub at. */
    public String loginUrl(int port, BrowserLogins.Code code) {
        String host = boundHost.strip();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port + "/login?code=" + code.code() + "&next=" + code.page();
    }

    /** The login cookie's name on {@code port}: cookies are not kept apart by port, so the name is. */
    public static String cookieName(int port) {
        return "agentwire-" + port;
    }
}
