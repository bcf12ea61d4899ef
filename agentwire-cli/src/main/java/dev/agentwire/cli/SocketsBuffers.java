package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.protocol.Json;
import java.io.PrintWriter;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aw sockets buffers --bandwidth B --rtt T}: this machine's buffer limits against the path's BDP. */
@Command(
        name = "buffers",
        mixinStandardHelpOptions = true,
        description = {
            "Socket buffers against the bandwidth-delay product: net.core.rmem_max/wmem_max and tcp_rmem/tcp_wmem",
            "compared with what --bandwidth and --rtt need, and what to set where (sysctl lines, setsockopt).",
            "aw sockets inspect --pid P --bandwidth B --rtt T does the same for one process's sockets."
        })
final class SocketsBuffers implements Callable<Integer> {

    @Option(names = "--bandwidth", required = true, paramLabel = "RATE", description = "100Mbit, 1Gbit, 125MB/s")
    String bandwidth;

    @Option(names = "--rtt", required = true, paramLabel = "TIME", description = "round-trip time: 20ms, 150us")
    String rtt;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** --bandwidth and --rtt as bits per second and seconds, or a usage error. */
    static double[] parse(CommandLine cl, String bandwidth, String rtt) {
        try {
            return new double[] {BufferAdvice.parseBandwidth(bandwidth), BufferAdvice.parseRtt(rtt)};
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        double[] br = parse(spec.commandLine(), bandwidth, rtt);
        BufferAdvice.Advice a = BufferAdvice.advise(
                BufferAdvice.Limits.read(), br[0], br[1], OptionalLong.empty(), OptionalLong.empty());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ClientOptions.printJson(out, json(a));
        } else {
            print(out, json(a), "");
        }
        out.flush();
        return ExitCodes.OK;
    }

    static ObjectNode json(BufferAdvice.Advice a) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("bdpBytes", a.bdpBytes());
        n.put("wantedBytes", a.wantedBytes());
        a.findings().forEach(n.putArray("findings")::add);
        a.sysctl().forEach(n.putArray("sysctl")::add);
        a.setsockopt().forEach(n.putArray("setsockopt")::add);
        return n;
    }

    static void print(PrintWriter out, JsonNode a, String indent) {
        a.path("findings").forEach(f -> out.println(indent + "- " + f.asText()));
        if (!a.path("sysctl").isEmpty()) {
            out.println(indent + "Set (in /etc/sysctl.d/90-socket-buffers.conf, then sysctl --system; or sysctl -w"
                    + " now):");
            a.path("sysctl").forEach(l -> out.println(indent + "  " + l.asText()));
        }
        out.println(indent + "Or in the application, for its own sockets (this turns autotuning off for them):");
        a.path("setsockopt").forEach(l -> out.println(indent + "  " + l.asText()));
    }
}
