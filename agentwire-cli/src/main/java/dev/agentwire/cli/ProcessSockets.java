package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * {@code aw sockets inspect --pid P}: one process's sockets, found through {@code /proc/P/fd}, described by
 * {@code ss} (buffers and their memory, TCP info, timers) and by {@code getsockopt} on a duplicate of the
 * descriptor ({@link SocketOptionReader}). What cannot be read is said, with the reason, instead of left out.
 * Stateless; {@link #inspect} returns the report as JSON.
 */
final class ProcessSockets {

    /** What the command asked for. */
    record Request(
            long pid, OptionalInt fd, List<SocketOptionReader.Option> options, Optional<double[]> bandwidthAndRtt) {}

    /** A request that cannot be answered: a usage error, with its message. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private ProcessSockets() {}

    static ObjectNode inspect(Request q) throws IOException {
        Path proc = Path.of("/proc", Long.toString(q.pid()));
        if (!Files.isDirectory(proc)) {
            throw new Refused("no process " + q.pid() + " (--pid)");
        }
        ObjectNode r = Json.mapper().createObjectNode();
        r.put("pid", q.pid());
        r.put("process", read(proc.resolve("comm")).orElse("?"));
        ArrayNode unreadable = r.putArray("unreadable");
        Map<Integer, Long> sockets = new TreeMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                int n = Integer.parseInt(fd.getFileName().toString());
                if (q.fd().isPresent() && q.fd().getAsInt() != n) {
                    continue;
                }
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        sockets.put(n, Long.parseLong(target.substring(8, target.length() - 1)));
                    } else if (q.fd().isPresent()) {
                        throw new Refused("fd " + n + " of pid " + q.pid() + " is not a socket but " + target);
                    }
                } catch (NoSuchFileException e) {
                    // closed meanwhile
                }
            }
        } catch (AccessDeniedException e) {
            Object uid = Files.getAttribute(proc, "unix:uid");
            unreadable.add("/proc/" + q.pid() + "/fd: EACCES (Permission denied): process " + q.pid() + " belongs to"
                    + " uid " + uid + "; only its owner (or root) may list its descriptors, so its sockets, buffers"
                    + " and options cannot be read from here");
            r.putArray("sockets");
            return r;
        }
        if (q.fd().isPresent() && sockets.isEmpty()) {
            throw new Refused("pid " + q.pid() + " has no fd " + q.fd().getAsInt());
        }
        Map<Long, SsSocket> byInode = new HashMap<>();
        Optional<List<String>> ss = Ss.run(SsSocket.ARGS.toArray(String[]::new));
        if (ss.isEmpty()) {
            unreadable.add("buffers, memory and TCP info: ss (iproute2) is not installed");
        } else {
            ss.get().forEach(line -> SsSocket.parse(line).ifPresent(s -> byInode.putIfAbsent(s.inode(), s)));
        }
        SocketOptionReader.Result<SocketOptionReader> reader = SocketOptionReader.open(q.pid());
        if (reader.value().isEmpty()) {
            unreadable.add("socket options by getsockopt: " + reader.why());
        }
        Optional<BufferAdvice.Limits> limits = Optional.empty();
        if (q.bandwidthAndRtt().isPresent()) {
            limits = Optional.of(BufferAdvice.Limits.read());
        }
        ArrayNode list = r.putArray("sockets");
        try {
            for (var e : sockets.entrySet()) {
                list.add(socket(e.getKey(), e.getValue(), byInode.get(e.getValue()), reader, q, limits));
            }
        } finally {
            reader.value().ifPresent(SocketOptionReader::close);
        }
        return r;
    }

    private static ObjectNode socket(
            int fd,
            long inode,
            SsSocket s,
            SocketOptionReader.Result<SocketOptionReader> reader,
            Request q,
            Optional<BufferAdvice.Limits> limits) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("fd", fd);
        n.put("inode", inode);
        ArrayNode unreadable = n.putArray("unreadable");
        if (s == null) {
            unreadable.add("ss does not list this socket (a netlink, packet or raw socket, or it closed meanwhile)");
        } else {
            n.put("netid", s.netid());
            n.put("state", s.state());
            n.put("local", s.local());
            n.put("peer", s.peer());
            n.put("recvQ", s.recvQ());
            n.put("sendQ", s.sendQ());
            Map<String, Long> m = s.memory();
            if (!m.isEmpty()) {
                ObjectNode mem = n.putObject("memory");
                put(mem, "receiveBuffer", m.get("rb"));
                put(mem, "receivedUnread", m.get("r"));
                put(mem, "sendBuffer", m.get("tb"));
                put(mem, "sentUnacknowledged", m.get("t"));
                put(mem, "queuedToSend", m.get("w"));
                put(mem, "reservedAhead", m.get("f"));
                put(mem, "optionMemory", m.get("o"));
                put(mem, "backlog", m.get("bl"));
                put(mem, "drops", m.get("d"));
            }
            if (s.tcp() && s.details().containsKey("rtt")) {
                ObjectNode tcp = n.putObject("tcp");
                String[] rtt = s.details().get("rtt").split("/");
                tcp.put("rttMs", Double.parseDouble(rtt[0]));
                if (rtt.length > 1) {
                    tcp.put("rttVarMs", Double.parseDouble(rtt[1]));
                }
                put(tcp, "cwnd", number(s.details().get("cwnd")));
                put(tcp, "rtoMs", number(s.details().get("rto")));
                put(tcp, "mss", number(s.details().get("mss")));
                // ss prints retrans:CURRENT/TOTAL only when one is not 0.
                String retrans = s.details().getOrDefault("retrans", "0/0");
                tcp.put("retransmits", Long.parseLong(retrans.substring(retrans.indexOf('/') + 1)));
                put(tcp, "bytesSent", number(s.details().get("bytes_sent")));
                put(tcp, "bytesReceived", number(s.details().get("bytes_received")));
            }
            s.keepaliveTimer().ifPresent(t -> n.put("keepaliveTimer", t));
        }
        boolean tcp = s != null && s.tcp();
        ObjectNode options = n.putObject("options");
        Optional<Map<String, Integer>> read = Optional.empty();
        if (reader.value().isPresent()) {
            SocketOptionReader.Result<Map<String, Integer>> got =
                    reader.value().get().read(fd, q.options(), tcp || s == null);
            read = got.value();
            if (read.isEmpty()) {
                unreadable.add("socket options by getsockopt: " + got.why());
            }
        }
        if (read.isPresent()) {
            n.put("optionsFrom", "getsockopt on a duplicate of the descriptor (pidfd_getfd)");
            read.get().forEach(options::put);
        } else if (s != null) {
            n.put("optionsFrom", "ss (getsockopt could not be used)");
            Map<String, Long> m = s.memory();
            for (SocketOptionReader.Option o : q.options()) {
                switch (o.name()) {
                    case "SO_SNDBUF" -> put(options, o.name(), m.get("tb"));
                    case "SO_RCVBUF" -> put(options, o.name(), m.get("rb"));
                    case "SO_KEEPALIVE" -> {
                        if (s.keepaliveTimer().isPresent()) {
                            options.put(o.name(), 1);
                        } else {
                            unreadable.add("SO_KEEPALIVE: no keepalive timer runs (off, or another timer runs first)");
                        }
                    }
                    default -> {
                        if (!o.tcpOnly() || tcp) {
                            unreadable.add(
                                    o.name() + ": only getsockopt in (or on a duplicate of) the process reads it");
                        }
                    }
                }
            }
        }
        if (q.bandwidthAndRtt().isPresent() && limits.isPresent() && tcp) {
            double[] br = q.bandwidthAndRtt().get();
            BufferAdvice.Advice a = BufferAdvice.advise(
                    limits.get(),
                    br[0],
                    br[1],
                    bufferOf(options, s, "SO_RCVBUF", "rb"),
                    bufferOf(options, s, "SO_SNDBUF", "tb"));
            n.set("bufferAdvice", SocketsBuffers.json(a));
        }
        return n;
    }

    /** The report for a person. */
    static void print(PrintWriter out, JsonNode r) {
        out.println("pid " + r.path("pid").asLong() + " (" + r.path("process").asText() + "): "
                + r.path("sockets").size() + " sockets");
        for (JsonNode n : r.path("sockets")) {
            out.printf(
                    "%nfd %d  %s %s  %s -> %s  recv-q %d send-q %d  (inode %d)%n",
                    n.path("fd").asInt(),
                    n.path("netid").asText("?"),
                    n.path("state").asText("?"),
                    n.path("local").asText("?"),
                    n.path("peer").asText("?"),
                    n.path("recvQ").asLong(),
                    n.path("sendQ").asLong(),
                    n.path("inode").asLong());
            JsonNode m = n.path("memory");
            if (!m.isMissingNode()) {
                out.printf(
                        "  memory: receive buffer %d (%d unread), send buffer %d (%d unacknowledged, %d queued),"
                                + " drops %d%n",
                        m.path("receiveBuffer").asLong(),
                        m.path("receivedUnread").asLong(),
                        m.path("sendBuffer").asLong(),
                        m.path("sentUnacknowledged").asLong(),
                        m.path("queuedToSend").asLong(),
                        m.path("drops").asLong());
            }
            JsonNode t = n.path("tcp");
            if (!t.isMissingNode()) {
                out.printf(
                        "  tcp: rtt %.3f ms (var %.3f), cwnd %d, retransmits %d, rto %d ms, mss %d%n",
                        t.path("rttMs").asDouble(),
                        t.path("rttVarMs").asDouble(),
                        t.path("cwnd").asLong(),
                        t.path("retransmits").asLong(),
                        t.path("rtoMs").asLong(),
                        t.path("mss").asLong());
            }
            if (n.has("keepaliveTimer")) {
                out.println("  keepalive timer: next probe in "
                        + n.path("keepaliveTimer").asText());
            }
            if (!n.path("options").isEmpty()) {
                List<String> opts = new ArrayList<>();
                n.path("options")
                        .properties()
                        .forEach(e -> opts.add(e.getKey() + "=" + e.getValue().asText()
                                + (e.getKey().equals("TCP_NODELAY")
                                        ? (e.getValue().asInt() != 0 ? " (Nagle off)" : " (Nagle on)")
                                        : "")));
                out.println("  options (" + n.path("optionsFrom").asText() + "): " + String.join(", ", opts));
            }
            n.path("unreadable").forEach(u -> out.println("  cannot read: " + u.asText()));
            if (n.has("bufferAdvice")) {
                out.println("  buffer advice:");
                SocketsBuffers.print(out, n.path("bufferAdvice"), "    ");
            }
        }
        r.path("unreadable").forEach(u -> out.println("cannot read: " + u.asText()));
    }

    private static OptionalLong bufferOf(ObjectNode options, SsSocket s, String option, String skmem) {
        if (options.has(option)) {
            return OptionalLong.of(options.path(option).asLong());
        }
        Long v = s == null ? null : s.memory().get(skmem);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static void put(ObjectNode n, String key, Long value) {
        if (value != null) {
            n.put(key, value);
        }
    }

    private static Long number(String text) {
        if (text == null) {
            return null;
        }
        try {
            return (long) Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
