package dev.agentwire.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Socket buffer sizes against the bandwidth-delay product (the socket skill's "analyze and optimize
 * SO_SNDBUF/SO_RCVBUF"). A TCP sender keeps a BDP of data in flight; Linux gives the window about half of a
 * buffer (the rest is bookkeeping), so a buffer wants twice the BDP. Autotuning grows buffers up to
 * {@code tcp_rmem}/{@code tcp_wmem}'s maximum; an explicit {@code setsockopt(SO_RCVBUF)} turns it off for that
 * socket, is capped at {@code net.core.rmem_max} and doubled by the kernel. Pure: {@link #advise} computes,
 * {@link Limits#read} reads /proc/sys.
 */
final class BufferAdvice {

    private static final Pattern BANDWIDTH =
            Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kKmMgGtT])?(bit|bps|bit/s|b/s|B/s|Bps|B)?");
    private static final Pattern RTT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s)");

    private BufferAdvice() {}

    /** The kernel's limits: {@code net.core.rmem_max}, {@code wmem_max}, {@code tcp_rmem}, {@code tcp_wmem}. */
    record Limits(long rmemMax, long wmemMax, long[] tcpRmem, long[] tcpWmem) {
        static Limits read() throws IOException {
            return new Limits(
                    one("/proc/sys/net/core/rmem_max"),
                    one("/proc/sys/net/core/wmem_max"),
                    three("/proc/sys/net/ipv4/tcp_rmem"),
                    three("/proc/sys/net/ipv4/tcp_wmem"));
        }

        private static long one(String file) throws IOException {
            return Long.parseLong(text(file));
        }

        /** Files.readString may stop short on /proc/sys (it trusts a size procfs does not give); lines do not. */
        private static String text(String file) throws IOException {
            return String.join(" ", Files.readAllLines(Path.of(file))).trim();
        }

        private static long[] three(String file) throws IOException {
            String[] f = text(file).split("\\s+");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
        }
    }

    /**
     * The advice: the BDP and the buffer it wants, what is short and why, and the lines that fix it.
     *
     * @param sysctl lines for /etc/sysctl.d (empty when the limits are enough)
     * @param setsockopt the calls an application makes to fix its own sockets' sizes
     */
    record Advice(
            long bdpBytes, long wantedBytes, List<String> findings, List<String> sysctl, List<String> setsockopt) {}

    /**
     * @param bitsPerSecond the path's bandwidth
     * @param rttSeconds its round-trip time
     * @param receiveBuffer the socket's SO_RCVBUF as getsockopt reports it, if known
     * @param sendBuffer the socket's SO_SNDBUF, if known
     */
    static Advice advise(
            Limits limits,
            double bitsPerSecond,
            double rttSeconds,
            OptionalLong receiveBuffer,
            OptionalLong sendBuffer) {
        long bdp = (long) Math.ceil(bitsPerSecond / 8 * rttSeconds);
        long wanted = 2 * bdp;
        List<String> findings = new ArrayList<>();
        List<String> sysctl = new ArrayList<>();
        findings.add("bandwidth-delay product: " + bits(bitsPerSecond) + " × " + ms(rttSeconds) + " = " + bytes(bdp)
                + " in flight; a buffer wants about twice that, " + bytes(wanted));
        if (limits.tcpRmem()[2] < wanted) {
            findings.add("net.ipv4.tcp_rmem's maximum (" + bytes(limits.tcpRmem()[2])
                    + ") stops receive autotuning below " + bytes(wanted) + ": throughput stays under about "
                    + bits(limits.tcpRmem()[2] / 2.0 * 8 / rttSeconds));
            sysctl.add("net.ipv4.tcp_rmem = " + limits.tcpRmem()[0] + " " + limits.tcpRmem()[1] + " " + wanted);
        } else {
            findings.add("net.ipv4.tcp_rmem's maximum (" + bytes(limits.tcpRmem()[2]) + ") lets autotuning reach "
                    + bytes(wanted));
        }
        if (limits.tcpWmem()[2] < wanted) {
            findings.add("net.ipv4.tcp_wmem's maximum (" + bytes(limits.tcpWmem()[2]) + ") stops send autotuning below "
                    + bytes(wanted));
            sysctl.add("net.ipv4.tcp_wmem = " + limits.tcpWmem()[0] + " " + limits.tcpWmem()[1] + " " + wanted);
        } else {
            findings.add("net.ipv4.tcp_wmem's maximum (" + bytes(limits.tcpWmem()[2]) + ") lets autotuning reach "
                    + bytes(wanted));
        }
        if (limits.rmemMax() < bdp) {
            findings.add("net.core.rmem_max (" + bytes(limits.rmemMax()) + ") caps setsockopt(SO_RCVBUF) below the BDP"
                    + " (the kernel doubles the value set, after the cap)");
            sysctl.add("net.core.rmem_max = " + bdp);
        }
        if (limits.wmemMax() < bdp) {
            findings.add("net.core.wmem_max (" + bytes(limits.wmemMax()) + ") caps setsockopt(SO_SNDBUF) below the"
                    + " BDP");
            sysctl.add("net.core.wmem_max = " + bdp);
        }
        receiveBuffer.ifPresent(rb -> findings.add(
                rb >= wanted
                        ? "this socket's receive buffer (" + bytes(rb) + ") is enough"
                        : "this socket's receive buffer (" + bytes(rb) + ") allows a window of about " + bytes(rb / 2)
                                + ": at this RTT at most " + bits(rb / 2.0 * 8 / rttSeconds)
                                + " (autotuning may still grow it, unless the application set SO_RCVBUF)"));
        sendBuffer.ifPresent(tb -> findings.add(
                tb >= wanted
                        ? "this socket's send buffer (" + bytes(tb) + ") is enough"
                        : "this socket's send buffer (" + bytes(tb) + ") holds less than " + bytes(wanted)
                                + ": at this RTT at most about " + bits(tb / 2.0 * 8 / rttSeconds)
                                + " (autotuning may still grow it, unless the application set SO_SNDBUF)"));
        List<String> setsockopt = List.of(
                "int size = " + bdp + "; /* the kernel doubles it to " + wanted + "; needs net.core.rmem_max and"
                        + " wmem_max >= " + bdp + " */",
                "setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size); /* before listen() or connect(): the"
                        + " window scale is fixed in the handshake */",
                "setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);");
        return new Advice(bdp, wanted, findings, sysctl, setsockopt);
    }

    /** {@code 100Mbit}, {@code 1Gbit}, {@code 10Gbps}, {@code 125MB/s}, or a bare number of bits per second. */
    static double parseBandwidth(String text) {
        Matcher m = BANDWIDTH.matcher(text.trim());
        if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
            throw new IllegalArgumentException("--bandwidth must be a positive rate like 100Mbit, 1Gbit, 10Gbps or"
                    + " 125MB/s (bits per second, or bytes with B/s), not '" + text + "'");
        }
        double v = Double.parseDouble(m.group(1));
        if (m.group(2) != null) {
            v *= switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 1e3;
                case "m" -> 1e6;
                case "g" -> 1e9;
                default -> 1e12;
            };
        }
        String unit = m.group(3) == null ? "bit" : m.group(3);
        return unit.startsWith("B") ? v * 8 : v;
    }

    /** {@code 20ms}, {@code 0.5ms}, {@code 150us}, {@code 1s}: seconds. */
    static double parseRtt(String text) {
        Matcher m = RTT.matcher(text.trim());
        if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
            throw new IllegalArgumentException(
                    "--rtt must be a positive time like 20ms, 0.5ms, 150us or 1s, not '" + text + "'");
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1e6;
            case "ms" -> v / 1e3;
            default -> v;
        };
    }

    static String bytes(long n) {
        if (n >= 1 << 20) {
            return n + " bytes (" + String.format(Locale.ROOT, "%.1f", n / (double) (1 << 20)) + " MiB)";
        }
        if (n >= 1 << 10) {
            return n + " bytes (" + String.format(Locale.ROOT, "%.1f", n / 1024.0) + " KiB)";
        }
        return n + " bytes";
    }

    private static String bits(double perSecond) {
        if (perSecond >= 1e9) {
            return String.format(Locale.ROOT, "%.2f Gbit/s", perSecond / 1e9);
        }
        if (perSecond >= 1e6) {
            return String.format(Locale.ROOT, "%.2f Mbit/s", perSecond / 1e6);
        }
        return String.format(Locale.ROOT, "%.0f kbit/s", perSecond / 1e3);
    }

    private static String ms(double seconds) {
        return String.format(Locale.ROOT, "%.3f ms", seconds * 1e3);
    }
}
