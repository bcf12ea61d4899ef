package dev.agentwire.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One socket as {@code ss -HOtuxaniem} prints it on one line: the columns, then {@code key:value} details
 * ({@code skmem:(r0,rb131072,...)}, {@code rtt:0.03/0.01}, {@code cwnd:10}, {@code timer:(keepalive,119min,0)}).
 * A pure parser: {@link #parse} returns empty for a line it does not understand.
 */
record SsSocket(
        String netid,
        String state,
        long recvQ,
        long sendQ,
        String local,
        String peer,
        long inode,
        Map<String, String> details) {

    /** The arguments that print every TCP, UDP and Unix socket this way. */
    static final List<String> ARGS = List.of("-HOtuxaniem");

    static Optional<SsSocket> parse(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 6) {
            return Optional.empty();
        }
        try {
            boolean unix = f[0].startsWith("u_");
            int rest = unix ? 8 : 6;
            Map<String, String> details = new LinkedHashMap<>();
            for (int i = Math.min(rest, f.length); i < f.length; i++) {
                int colon = f[i].indexOf(':');
                if (colon > 0) {
                    details.putIfAbsent(f[i].substring(0, colon), f[i].substring(colon + 1));
                }
            }
            long inode = unix ? Long.parseLong(f[5]) : Long.parseLong(details.getOrDefault("ino", "0"));
            return Optional.of(new SsSocket(
                    f[0],
                    f[1],
                    Long.parseLong(f[2]),
                    Long.parseLong(f[3]),
                    f[4],
                    unix ? (f.length > 6 ? f[6] : "*") : f[5],
                    inode,
                    details));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    boolean tcp() {
        return netid.equals("tcp");
    }

    /**
     * {@code skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d0)} by field: r (bytes received and not read), rb (the
     * receive buffer, SO_RCVBUF), t (bytes sent and not acknowledged), tb (the send buffer, SO_SNDBUF), f (memory
     * reserved ahead), w (bytes queued to send), o (option memory), bl (backlog queue), d (packets dropped).
     */
    Map<String, Long> memory() {
        Map<String, Long> m = new LinkedHashMap<>();
        String s = details.get("skmem");
        if (s == null || !s.startsWith("(") || !s.endsWith(")")) {
            return m;
        }
        for (String part : s.substring(1, s.length() - 1).split(",")) {
            int i = 0;
            while (i < part.length() && Character.isLetter(part.charAt(i))) {
                i++;
            }
            try {
                m.put(part.substring(0, i), Long.parseLong(part.substring(i)));
            } catch (NumberFormatException e) {
                // a field this parser does not know the form of
            }
        }
        return m;
    }

    /** The keepalive timer's time left ({@code 119min}) if ss shows one running. */
    Optional<String> keepaliveTimer() {
        String t = details.get("timer");
        if (t == null || !t.startsWith("(keepalive,")) {
            return Optional.empty();
        }
        String[] p = t.substring(1, t.length() - 1).split(",");
        return Optional.of(p.length > 1 ? p[1] : "?");
    }
}
