package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aw sockets inspect ID}: one hub connection, asked of the hub; {@code aw sockets inspect --pid P}: any
 * process's sockets, read on this machine ({@link ProcessSockets}).
 */
@Command(
        name = "inspect",
        aliases = "inspect-options",
        mixinStandardHelpOptions = true,
        description = {
            "aw sockets inspect ID: one hub connection, with the socket options read from its live channel.",
            "aw sockets inspect --pid P [--fd N] [--options SO_SNDBUF,...]: any process's sockets this user may",
            "see: buffers and their memory, TCP info (rtt, cwnd, retransmits), keepalive timer, Nagle, options;",
            "with --bandwidth and --rtt, buffer advice for each."
        })
final class SocketsInspect extends HubCall {
    @CommandLine.Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "ID",
            description = "a connection id from aw sockets")
    Long id;

    @Option(names = "--pid", paramLabel = "P", description = "a process whose sockets to read")
    Long pid;

    @Option(
            names = {"--fd", "--socket-fd"},
            paramLabel = "N",
            description = "only this descriptor of --pid")
    Integer fd;

    @Option(
            names = "--options",
            paramLabel = "LIST",
            split = ",",
            description = "options to read (default: all known): SO_SNDBUF, SO_RCVBUF, TCP_NODELAY, SO_KEEPALIVE,"
                    + " TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, SO_REUSEADDR, SO_REUSEPORT, TCP_CORK,"
                    + " TCP_QUICKACK, TCP_USER_TIMEOUT, SO_RCVLOWAT")
    List<String> options;

    @Option(names = "--bandwidth", paramLabel = "RATE", description = "with --rtt: buffer advice (100Mbit, 1Gbit)")
    String bandwidth;

    @Option(names = "--rtt", paramLabel = "TIME", description = "with --bandwidth: the round-trip time (20ms)")
    String rtt;

    @Override
    public Integer call() throws Exception {
        if (pid == null) {
            if (fd != null || options != null || bandwidth != null || rtt != null) {
                throw usage("--fd, --options, --bandwidth and --rtt go with --pid");
            }
            return super.call();
        }
        if (id != null) {
            throw usage("give a hub connection ID or --pid, not both");
        }
        SocketsCommand.requireProc(spec.commandLine());
        List<SocketOptionReader.Option> wanted = new ArrayList<>();
        for (String name : options == null ? List.copyOf(SocketOptionReader.OPTIONS.keySet()) : options) {
            SocketOptionReader.Option o =
                    SocketOptionReader.OPTIONS.get(name.trim().toUpperCase(java.util.Locale.ROOT));
            if (o == null) {
                throw usage("unknown socket option " + name + " (--options); known: "
                        + String.join(", ", SocketOptionReader.OPTIONS.keySet()));
            }
            wanted.add(o);
        }
        if ((bandwidth == null) != (rtt == null)) {
            throw usage("--bandwidth and --rtt go together: the advice needs both");
        }
        java.util.Optional<double[]> br = bandwidth == null
                ? java.util.Optional.empty()
                : java.util.Optional.of(SocketsBuffers.parse(spec.commandLine(), bandwidth, rtt));
        if (fd != null && fd < 0) {
            throw usage("--fd must be 0 or more, not " + fd);
        }
        ObjectNode r;
        try {
            r = ProcessSockets.inspect(new ProcessSockets.Request(
                    pid, fd == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(fd), wanted, br));
        } catch (ProcessSockets.Refused e) {
            throw usage(e.getMessage());
        }
        PrintWriter out = out();
        if (client.json) {
            ClientOptions.printJson(out, r);
        } else {
            ProcessSockets.print(out, r);
        }
        out.flush();
        return r.path("sockets").isEmpty() && !r.path("unreadable").isEmpty() ? ExitCodes.ERROR : ExitCodes.OK;
    }

    @Override
    Ask prepare() {
        if (id == null) {
            throw usage("give a hub connection ID (aw sockets lists them) or --pid P");
        }
        return request("hub/connection", Json.mapper().createObjectNode().put("id", id));
    }

    /** The answer is JSON either way. */
    @Override
    void printText(PrintWriter out, JsonNode r) throws IOException {
        printJson(out, r);
    }
}
