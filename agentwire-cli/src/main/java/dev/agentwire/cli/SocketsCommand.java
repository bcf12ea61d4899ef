package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aw sockets}: the hub's connections; {@code analyze}, {@code unix}, {@code debug}, {@code inspect --pid} and
 * {@code buffers}: this machine's sockets, read from /proc, {@code ss} and the processes' descriptors.
 */
@Command(
        name = "sockets",
        mixinStandardHelpOptions = true,
        description = {
            "The hub's connections (like NATS' connz); aw sockets inspect ID adds one's socket options.",
            "aw sockets analyze: this machine's TCP and UDP sockets, with advice; aw sockets unix: Unix sockets;",
            "aw sockets debug --address: why a connection fails; aw sockets inspect --pid: any process's sockets;",
            "aw sockets buffers: buffer sizes against the bandwidth-delay product."
        },
        subcommands = {
            SocketsInspect.class,
            SocketsCommand.Analyze.class,
            SocketsCommand.UnixSockets.class,
            SocketsDebug.class,
            SocketsBuffers.class
        })
final class SocketsCommand extends HubCall {

    /** The hub's connections: id, transport, peer, session, rooms, traffic, pending bytes, refusals, age. */
    @Override
    Ask prepare() {
        return request("hub/connections");
    }

    @Override
    void printText(PrintWriter out, JsonNode r) {
        out.printf(
                "%5s %-9s %-14s %-22s %-12s %-16s %9s %9s %9s %9s %8s %6s %8s%n",
                "ID",
                "TRANSPORT",
                "NAME",
                "PEER",
                "SESSION",
                "ROOMS",
                "BYTES-IN",
                "MSGS-IN",
                "BYTES-OUT",
                "MSGS-OUT",
                "PENDING",
                "LIMITED",
                "AGE-S");
        for (var x : r.path("connections")) {
            String peer = x.has("uid")
                    ? "uid " + x.path("uid").asText()
                            + (x.has("pid") ? " pid " + x.path("pid").asText() : "")
                    : x.path("address").asText();
            List<String> rooms = new ArrayList<>();
            x.path("rooms").forEach(n -> rooms.add(n.asText()));
            out.printf(
                    "%5d %-9s %-14s %-22s %-12s %-16s %9d %9d %9d %9d %8d %6d %8d%n",
                    x.path("id").asLong(),
                    x.path("transport").asText(),
                    x.path("name").asText().isEmpty() ? "-" : x.path("name").asText(),
                    peer,
                    x.path("session").asText("-"),
                    rooms.isEmpty() ? "-" : String.join(",", rooms),
                    x.path("bytesIn").asLong(),
                    x.path("messagesIn").asLong(),
                    x.path("bytesOut").asLong(),
                    x.path("messagesOut").asLong(),
                    x.path("pendingOutboundBytes").asLong(),
                    x.path("rateLimited").asLong(),
                    x.path("ageMs").asLong() / 1000);
        }
    }

    static void requireProc(CommandLine cl) {
        if (!ProcNet.available()) {
            throw new CommandLine.ParameterException(
                    cl,
                    "aw sockets reads Linux's /proc/net; it is not supported on " + System.getProperty("os.name")
                            + " (use netstat -an or lsof -i there)");
        }
    }

    @Command(
            name = "analyze",
            mixinStandardHelpOptions = true,
            description = "TCP sockets by state, UDP sockets with their drops, their processes and queues, and what the"
                    + " numbers suggest.")
    static final class Analyze implements Callable<Integer> {
        @Option(names = "--port", paramLabel = "N", description = "only sockets with this local or remote port")
        Integer port;

        @Option(names = "--pid", paramLabel = "P", description = "only sockets of this process")
        Long pid;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            requireProc(spec.commandLine());
            if (port != null && (port < 1 || port > 65535)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 1-65535, not " + port);
            }
            if (pid != null && !java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc", Long.toString(pid)))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no process " + pid + " (--pid)");
            }
            List<ProcNet.Tcp> sockets = ProcNet.tcp().stream()
                    .filter(s -> port == null || s.localPort() == port || s.remotePort() == port)
                    .filter(s -> pid == null || s.pid() == pid)
                    .toList();
            Map<String, Integer> counts = new TreeMap<>();
            sockets.forEach(s -> counts.merge(s.state(), 1, Integer::sum));
            List<ProcNet.Udp> udp = ProcNet.udp().stream()
                    .filter(s -> port == null || s.localPort() == port || s.remotePort() == port)
                    .filter(s -> pid == null || s.pid() == pid)
                    .toList();
            List<String> advice = new ArrayList<>(advice(sockets, counts));
            advice.addAll(udpAdvice(udp));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode r = Json.mapper().createObjectNode();
                ObjectNode c = r.putObject("counts");
                counts.forEach(c::put);
                ArrayNode list = r.putArray("sockets");
                for (ProcNet.Tcp s : sockets) {
                    list.add(Json.mapper().valueToTree(s));
                }
                ArrayNode u = r.putArray("udp");
                for (ProcNet.Udp s : udp) {
                    u.add(Json.mapper().valueToTree(s));
                }
                ArrayNode a = r.putArray("recommendations");
                advice.forEach(a::add);
                r.put("skippedLines", ProcNet.skippedLines);
                ClientOptions.printJson(out, r);
            } else {
                out.println("TCP sockets" + (port != null ? " on port " + port : "")
                        + (pid != null ? " of pid " + pid : "") + ": " + sockets.size());
                counts.forEach((state, n) -> out.printf("  %-12s %6d%n", state, n));
                out.printf(
                        "%n%-12s %-24s %-24s %8s %8s %s%n", "STATE", "LOCAL", "REMOTE", "SEND-Q", "RECV-Q", "PROCESS");
                for (ProcNet.Tcp s : sockets) {
                    out.printf(
                            "%-12s %-24s %-24s %8d %8d %s%n",
                            s.state(),
                            s.localAddress() + ":" + s.localPort(),
                            s.remoteAddress() + ":" + s.remotePort(),
                            s.txQueue(),
                            s.rxQueue(),
                            s.pid() < 0 ? "-" : s.pid() + "/" + s.process());
                }
                out.println();
                out.println("UDP sockets" + (port != null ? " on port " + port : "")
                        + (pid != null ? " of pid " + pid : "") + ": " + udp.size());
                if (!udp.isEmpty()) {
                    out.printf(
                            "%-12s %-24s %-24s %8s %8s %8s %s%n",
                            "STATE", "LOCAL", "REMOTE", "SEND-Q", "RECV-Q", "DROPS", "PROCESS");
                    for (ProcNet.Udp s : udp) {
                        out.printf(
                                "%-12s %-24s %-24s %8d %8d %8d %s%n",
                                s.state(),
                                s.localAddress() + ":" + s.localPort(),
                                s.remotePort() == 0 ? "*" : s.remoteAddress() + ":" + s.remotePort(),
                                s.txQueue(),
                                s.rxQueue(),
                                s.drops(),
                                s.pid() < 0 ? "-" : s.pid() + "/" + s.process());
                    }
                }
                out.println();
                advice.forEach(a -> out.println("- " + a));
                if (ProcNet.skippedLines > 0) {
                    out.println("(" + ProcNet.skippedLines + " lines of /proc/net/tcp did not parse and were skipped)");
                }
            }
            out.flush();
            return ExitCodes.OK;
        }

        /** What the numbers suggest, each with its reason. */
        static List<String> advice(List<ProcNet.Tcp> sockets, Map<String, Integer> counts) {
            List<String> out = new ArrayList<>();
            int timeWait = counts.getOrDefault("TIME_WAIT", 0);
            if (timeWait < 1000) {
                out.add("TIME_WAIT count (" + timeWait + ") is normal: a closed connection waits 60 s on the side that"
                        + " closed first so that late packets do not reach a new one.");
            } else {
                out.add(
                        "TIME_WAIT count (" + timeWait
                                + ") is high: something opens a connection per request and closes"
                                + " it; reuse connections (keep-alive, a pool) or the ephemeral ports run out (EADDRNOTAVAIL).");
            }
            List<ProcNet.Tcp> closeWait =
                    sockets.stream().filter(s -> s.state().equals("CLOSE_WAIT")).toList();
            if (!closeWait.isEmpty()) {
                out.add(closeWait.size() + " in CLOSE_WAIT (" + owners(closeWait) + "): the peer closed, but this side"
                        + " has not; if the number grows, the application does not close its sockets (a leak).");
            }
            for (ProcNet.Tcp s : sockets) {
                if (s.state().equals("LISTEN") && s.txQueue() > 0 && s.rxQueue() >= s.txQueue()) {
                    out.add("the accept queue of port " + s.localPort() + " is full (" + s.rxQueue() + " of "
                            + s.txQueue()
                            + "): the acceptor (" + owners(List.of(s)) + ") is slow or stuck; new connections are"
                            + " dropped (clients see timeouts or ECONNREFUSED).");
                }
            }
            long stuckReads = sockets.stream()
                    .filter(s -> s.state().equals("ESTABLISHED") && s.rxQueue() > 64 * 1024)
                    .count();
            if (stuckReads > 0) {
                out.add(stuckReads + " established connections have over 64 KiB unread: their application does not"
                        + " read (a slow consumer).");
            }
            int synSent = counts.getOrDefault("SYN_SENT", 0);
            if (synSent > 10) {
                out.add(synSent + " in SYN_SENT: connecting to hosts that do not answer (firewall, wrong address).");
            }
            return out;
        }

        /** What the UDP numbers suggest: drops, and datagrams waiting unread. */
        static List<String> udpAdvice(List<ProcNet.Udp> sockets) {
            List<String> out = new ArrayList<>();
            for (ProcNet.Udp s : sockets) {
                String who = s.pid() < 0 ? "process unknown" : s.pid() + "/" + s.process();
                if (s.drops() > 0) {
                    out.add("UDP port " + s.localPort() + " (" + who + ") dropped " + s.drops()
                            + " datagrams: its receive buffer filled faster than it was read; read faster (a"
                            + " dedicated reader, recvmmsg) or raise SO_RCVBUF (capped by net.core.rmem_max).");
                } else if (s.rxQueue() > 64 * 1024) {
                    out.add("UDP port " + s.localPort() + " (" + who + ") has " + s.rxQueue()
                            + " bytes unread: the reader falls behind; when the buffer is full, datagrams are"
                            + " dropped without a word to the sender.");
                }
            }
            return out;
        }

        private static String owners(List<ProcNet.Tcp> sockets) {
            String who = sockets.stream()
                    .filter(s -> s.pid() >= 0)
                    .map(s -> s.pid() + "/" + s.process())
                    .distinct()
                    .collect(Collectors.joining(", "));
            return who.isEmpty() ? "process unknown" : who;
        }
    }

    @Command(
            name = "unix",
            mixinStandardHelpOptions = true,
            description =
                    "Unix sockets: path (or @abstract), state and process; with --path: does anything listen there?")
    static final class UnixSockets implements Callable<Integer> {
        @Option(names = "--path", paramLabel = "P", description = "only this path (or @name)")
        String path;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            requireProc(spec.commandLine());
            String wanted = path == null
                    ? null
                    : path.startsWith("@")
                            ? path
                            : java.nio.file.Path.of(path)
                                    .toAbsolutePath()
                                    .normalize()
                                    .toString();
            List<ProcNet.Unix> sockets = ProcNet.unix().stream()
                    .filter(s -> wanted == null || s.path().equals(wanted))
                    .toList();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ArrayNode list = Json.mapper().createArrayNode();
                sockets.forEach(s -> list.add(Json.mapper().<com.fasterxml.jackson.databind.JsonNode>valueToTree(s)));
                ClientOptions.printJson(out, Json.mapper().createObjectNode().set("sockets", list));
            } else {
                out.printf("%-11s %-9s %-10s %s%n", "STATE", "TYPE", "PROCESS", "PATH");
                for (ProcNet.Unix s : sockets) {
                    out.printf(
                            "%-11s %-9s %-10s %s%n",
                            s.state(),
                            s.type(),
                            s.pid() < 0 ? "-" : s.pid() + "/" + s.process(),
                            s.path().isEmpty() ? "(unnamed)" : s.path());
                }
            }
            out.flush();
            if (wanted != null && sockets.stream().noneMatch(s -> s.state().equals("LISTEN"))) {
                spec.commandLine()
                        .getErr()
                        .println("nothing listens on " + wanted
                                + (java.nio.file.Files.exists(
                                                java.nio.file.Path.of(wanted.startsWith("@") ? "/nonexistent" : wanted))
                                        ? " (the file is there: a stale socket left by a process that died)"
                                        : ""));
                return ExitCodes.ERROR;
            }
            return ExitCodes.OK;
        }
    }
}
