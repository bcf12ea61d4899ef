package dev.agentwire.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linux's socket tables ({@code /proc/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}, {@code unix}) and which
 * process holds each socket.
 */
final class ProcNet {

    private ProcNet() {}

    /** The kernel's TCP states, by their number in /proc/net/tcp. */
    static final String[] TCP_STATES = {
        "UNKNOWN",
        "ESTABLISHED",
        "SYN_SENT",
        "SYN_RECV",
        "FIN_WAIT1",
        "FIN_WAIT2",
        "TIME_WAIT",
        "CLOSE",
        "CLOSE_WAIT",
        "LAST_ACK",
        "LISTEN",
        "CLOSING",
        "NEW_SYN_RECV"
    };

    /** One TCP socket. {@code txQueue} of a listener is its backlog, {@code rxQueue} its accept queue. */
    record Tcp(
            String localAddress,
            int localPort,
            String remoteAddress,
            int remotePort,
            String state,
            long txQueue,
            long rxQueue,
            long inode,
            long pid,
            String process) {}

    /**
     * One UDP socket: {@code state} is UNCONN (bound, takes datagrams from anyone) or ESTABLISHED (connected to
     * one peer); {@code drops} counts datagrams the kernel threw away because the receive buffer was full.
     */
    record Udp(
            String localAddress,
            int localPort,
            String remoteAddress,
            int remotePort,
            String state,
            long txQueue,
            long rxQueue,
            long drops,
            long inode,
            long pid,
            String process) {}

    /** One Unix socket. */
    record Unix(String path, String type, String state, long inode, long pid, String process) {}

    static boolean available() {
        return Files.isReadable(Path.of("/proc/net/tcp"));
    }

    /** The lines of /proc/net/tcp and tcp6 that did not parse in the last {@link #tcp()} (skipped, not fatal). */
    static volatile int skippedLines;

    static List<Tcp> tcp() throws IOException {
        Map<Long, long[]> owners = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        owners(owners, names);
        List<Tcp> out = new ArrayList<>();
        int skipped = 0;
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path p = Path.of(file);
            if (Files.isReadable(p)) {
                int[] bad = {0};
                out.addAll(parseTcp(Files.readAllLines(p), owners, names, bad));
                skipped += bad[0];
            }
        }
        skippedLines = skipped;
        return out;
    }

    /**
     * Parses the lines of a /proc/net/tcp file (the header first); a line that does not parse is skipped and
     * counted in {@code skipped[0]}.
     */
    static List<Tcp> parseTcp(List<String> lines, Map<Long, long[]> owners, Map<Long, String> names, int[] skipped) {
        return parse(
                lines,
                owners,
                names,
                skipped,
                r -> new Tcp(
                        r.localAddress(),
                        r.localPort(),
                        r.remoteAddress(),
                        r.remotePort(),
                        r.state() < TCP_STATES.length ? TCP_STATES[r.state()] : "UNKNOWN",
                        r.sendQueue(),
                        r.receiveQueue(),
                        r.inode(),
                        r.pid(),
                        r.process()));
    }

    /** The fields /proc/net/tcp and /proc/net/udp lines share, and the line's fields for the rest. */
    private record Row(
            String localAddress,
            int localPort,
            String remoteAddress,
            int remotePort,
            int state,
            long sendQueue,
            long receiveQueue,
            long inode,
            long pid,
            String process,
            String[] fields) {}

    /** Each line after the header as {@code as} makes it; a line that does not parse is counted in skipped[0]. */
    private static <T> List<T> parse(
            List<String> lines,
            Map<Long, long[]> owners,
            Map<Long, String> names,
            int[] skipped,
            java.util.function.Function<Row, T> as) {
        List<T> out = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            try {
                String[] f = line.trim().split("\\s+");
                String[] local = f[1].split(":");
                String[] remote = f[2].split(":");
                String[] queues = f[4].split(":");
                long inode = Long.parseLong(f[9]);
                long[] owner = owners.get(inode);
                long pid = owner == null ? -1 : owner[0];
                out.add(as.apply(new Row(
                        address(local[0]),
                        Integer.parseInt(local[1], 16),
                        address(remote[0]),
                        Integer.parseInt(remote[1], 16),
                        Integer.parseInt(f[3], 16),
                        Long.parseLong(queues[0], 16),
                        Long.parseLong(queues[1], 16),
                        inode,
                        pid,
                        pid < 0 ? "" : names.getOrDefault(pid, ""),
                        f)));
            } catch (RuntimeException e) {
                skipped[0]++;
            }
        }
        return out;
    }

    static List<Udp> udp() throws IOException {
        Map<Long, long[]> owners = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        owners(owners, names);
        List<Udp> out = new ArrayList<>();
        for (String file : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            Path p = Path.of(file);
            if (Files.isReadable(p)) {
                out.addAll(parseUdp(Files.readAllLines(p), owners, names, new int[] {0}));
            }
        }
        return out;
    }

    /**
     * Parses the lines of a /proc/net/udp file (the header first); a line that does not parse is skipped and counted
     * in {@code skipped[0]}.
     */
    static List<Udp> parseUdp(List<String> lines, Map<Long, long[]> owners, Map<Long, String> names, int[] skipped) {
        return parse(
                lines,
                owners,
                names,
                skipped,
                r -> new Udp(
                        r.localAddress(),
                        r.localPort(),
                        r.remoteAddress(),
                        r.remotePort(),
                        r.state() == 1 ? "ESTABLISHED" : "UNCONN",
                        r.sendQueue(),
                        r.receiveQueue(),
                        Long.parseLong(r.fields()[12]),
                        r.inode(),
                        r.pid(),
                        r.process()));
    }

    static List<Unix> unix() throws IOException {
        Map<Long, long[]> owners = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        owners(owners, names);
        List<Unix> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+", 8);
            long flags = Long.parseLong(f[3], 16);
            int type = Integer.parseInt(f[4], 16);
            int st = Integer.parseInt(f[5], 16);
            long inode = Long.parseLong(f[6]);
            String path = f.length > 7 ? f[7] : "";
            String state =
                    (flags & 0x10000) != 0 ? "LISTEN" : st == 3 ? "CONNECTED" : st == 1 ? "UNCONNECTED" : "STATE-" + st;
            long[] owner = owners.get(inode);
            long pid = owner == null ? -1 : owner[0];
            out.add(new Unix(
                    path,
                    switch (type) {
                        case 1 -> "STREAM";
                        case 2 -> "DGRAM";
                        case 5 -> "SEQPACKET";
                        default -> "TYPE-" + type;
                    },
                    state,
                    inode,
                    pid,
                    pid < 0 ? "" : names.getOrDefault(pid, "")));
        }
        return out;
    }

    /** socket inode → pid, from /proc/PID/fd links {@code socket:[INODE]} (the processes this user may read). */
    private static void owners(Map<Long, long[]> owners, Map<Long, String> names) {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        try {
                            String target = Files.readSymbolicLink(fd).toString();
                            if (target.startsWith("socket:[")) {
                                owners.putIfAbsent(
                                        Long.parseLong(target.substring(8, target.length() - 1)), new long[] {pid});
                                names.computeIfAbsent(pid, ProcNet::processName);
                            }
                        } catch (IOException | RuntimeException e) {
                            // the fd closed meanwhile
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // another user's process, or it ended
                }
            }
        } catch (IOException e) {
            // no /proc
        }
    }

    private static String processName(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm"))
                    .trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** A /proc/net/tcp address: 8 hex digits (IPv4, little-endian) or 32 (IPv6, four little-endian words). */
    static String address(String hex) {
        try {
            byte[] raw = new BigInteger(hex, 16).toByteArray();
            byte[] bytes = new byte[hex.length() / 2];
            System.arraycopy(
                    raw,
                    Math.max(0, raw.length - bytes.length),
                    bytes,
                    Math.max(0, bytes.length - raw.length),
                    Math.min(raw.length, bytes.length));
            byte[] ordered = new byte[bytes.length];
            for (int word = 0; word < bytes.length / 4; word++) {
                for (int i = 0; i < 4; i++) {
                    ordered[word * 4 + i] = bytes[word * 4 + 3 - i];
                }
            }
            return InetAddress.getByAddress(ordered).getHostAddress();
        } catch (UnknownHostException | RuntimeException e) {
            return hex;
        }
    }
}
