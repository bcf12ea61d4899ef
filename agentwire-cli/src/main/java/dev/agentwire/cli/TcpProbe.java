package dev.agentwire.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code aw sockets debug --address HOST:PORT}: resolves the name, then connects to each address it has (at most
 * {@value #MAX_ADDRESSES}) with a deadline until one answers, timing each step, and lists the sockets this machine
 * already has to or from that address and port (read before the probe's own connection). Stateless.
 */
final class TcpProbe {

    static final int MAX_ADDRESSES = 4;

    private TcpProbe() {}

    static DebugReport run(String host, int port, Duration timeout) throws IOException {
        DebugReport report = new DebugReport(host + ":" + port);
        long t0 = System.nanoTime();
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            report.failed("dns", ms(t0), host + " does not resolve (" + e.getMessage() + ")", Optional.empty());
            report.next("check the name: getent hosts " + host + " asks the resolver the way this program does;"
                    + " then /etc/hosts and /etc/resolv.conf");
            return report;
        }
        boolean literal = isLiteral(host);
        report.step(
                "dns",
                ms(t0),
                true,
                Arrays.stream(addresses).map(InetAddress::getHostAddress).collect(Collectors.joining(", "))
                        + (literal ? " (a literal address, no lookup)" : ""));
        Set<String> ips =
                Arrays.stream(addresses).map(InetAddress::getHostAddress).collect(Collectors.toSet());
        boolean local = Arrays.stream(addresses).anyMatch(TcpProbe::isLocal);
        List<ProcNet.Tcp> already = ProcNet.available()
                ? ProcNet.tcp().stream()
                        .filter(s -> (s.remotePort() == port && ips.contains(s.remoteAddress()))
                                || (s.localPort() == port
                                        && (ips.contains(s.localAddress()) || local && isWildcard(s.localAddress()))))
                        .toList()
                : List.of();
        for (ProcNet.Tcp s : already) {
            report.socket(
                    s.state(),
                    String.format(
                            "%-12s %-24s %-24s %s",
                            s.state(),
                            s.localAddress() + ":" + s.localPort(),
                            s.remoteAddress() + ":" + s.remotePort(),
                            s.pid() < 0 ? "-" : s.pid() + "/" + s.process()),
                    s);
        }
        String errno = null;
        boolean connected = false;
        InetAddress tried = null;
        for (InetAddress a : Arrays.copyOf(addresses, Math.min(addresses.length, MAX_ADDRESSES))) {
            tried = a;
            String where = new InetSocketAddress(a, port).toString().replaceFirst("^.*/", "");
            long t = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a, port), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                report.step(
                        "connect",
                        ms(t),
                        true,
                        where + ": SYN → SYN-ACK → established, from "
                                + s.getLocalAddress().getHostAddress() + ":" + s.getLocalPort());
                errno = null;
                connected = true;
                break;
            } catch (IOException e) {
                var entry = ErrnoCommand.fromException(e);
                errno = entry.map(x -> x.path("name").asText()).orElse("?");
                report.failed(
                        "connect",
                        ms(t),
                        where + ": " + e.getMessage()
                                + (e instanceof java.net.SocketTimeoutException
                                        ? " (no answer to the SYN within " + timeout.toMillis() + " ms)"
                                        : ""),
                        entry);
            }
        }
        report.outcome(connected);
        advise(report, errno, tried, port, local, already, timeout);
        return report;
    }

    private static void advise(
            DebugReport r,
            String errno,
            InetAddress a,
            int port,
            boolean local,
            List<ProcNet.Tcp> already,
            Duration timeout) {
        String ip = a.getHostAddress();
        List<ProcNet.Tcp> listeners =
                already.stream().filter(s -> s.state().equals("LISTEN")).toList();
        if (errno == null) {
            r.next("the TCP handshake completes (the kernel accepts even when the application is busy); if the"
                    + " application still does not answer, it does not accept or read: aw sockets analyze --port "
                    + port + " shows its accept queue and RECV-Q");
            return;
        }
        switch (errno) {
            case "ECONNREFUSED" -> {
                if (local && listeners.isEmpty()) {
                    r.next("nothing listens on port " + port + " on this machine: start the server, or check the"
                            + " port it uses (aw sockets analyze --port " + port + ")");
                } else if (local) {
                    r.next("port " + port + " has a listener, but not at " + ip + ": "
                            + listeners.stream()
                                    .map(s -> s.localAddress() + " ("
                                            + (s.pid() < 0 ? "?" : s.pid() + "/" + s.process()) + ")")
                                    .collect(Collectors.joining(", "))
                            + "; connect to that address, or bind the server to 0.0.0.0 / ::");
                } else {
                    r.next(ip + " answered with a reset: the host is up but nothing listens on port " + port
                            + ", or a firewall rejects (REJECT --reject-with tcp-reset)");
                }
            }
            case "ETIMEDOUT" ->
                r.next("no SYN-ACK came within " + timeout.toMillis() + " ms: a firewall drops the"
                        + " packets, the host is down, or the address is wrong; ip route get " + ip + " shows the way"
                        + " out; try a longer --timeout; a listener whose accept queue is full drops SYNs too (aw"
                        + " sockets analyze --port " + port + " on the server)");
            case "EHOSTUNREACH" ->
                r.next("no route to the host: an 'unreachable' route, no ARP/NDP answer on the"
                        + " local network, or a router's ICMP host-unreachable; ip route get " + ip + ", ip neigh");
            case "ENETUNREACH" ->
                r.next("no route to that network (is there a default route?): ip route, ip route" + " get " + ip);
            case "EACCES", "EPERM" ->
                r.next("a local rule forbids this connection: a 'prohibit' route, a firewall"
                        + " rule (nft list ruleset / iptables -S) or an LSM policy (SELinux, AppArmor)");
            case "EADDRNOTAVAIL" ->
                r.next("no local port or address to connect from: many sockets in TIME_WAIT use"
                        + " up the ephemeral ports (aw sockets analyze), see net.ipv4.ip_local_port_range");
            default -> r.next("aw errno " + errno + " explains the error");
        }
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || host.matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    }

    private static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("0:0:0:0:0:0:0:0");
    }

    private static boolean isLocal(InetAddress a) {
        try {
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private static double ms(long since) {
        return (System.nanoTime() - since) / 1e6;
    }
}
