package dev.agentwire.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aw sockets debug --address HOST:PORT|PATH} (the socket skill's debug-connections). */
@Command(
        name = "debug",
        aliases = "debug-connections",
        mixinStandardHelpOptions = true,
        description = {
            "Why a connection fails: each step with its time (DNS, connect, or for a Unix socket: file, type,",
            "permission, listener, backlog, connect), the error explained, the sockets already there, what next.",
            "Exit 0 when a connection is made, 1 when not."
        })
final class SocketsDebug implements Callable<Integer> {

    private static final Pattern HOST_PORT = Pattern.compile("(?:\\[([^\\]]+)\\]|([^:\\[\\]/]+)):(\\d{1,5})");

    @Option(
            names = "--address",
            required = true,
            paramLabel = "ADDR",
            description = "HOST:PORT, [IPv6]:PORT, or a Unix socket: /path, unix:/path")
    String address;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "how long a TCP connect may take (default: 3s)")
    String timeout;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        Duration deadline = timeout == null ? Duration.ofSeconds(3) : Durations.parse(timeout, cl);
        DebugReport report;
        String heading;
        if (address.startsWith("unix:") || address.contains("/")) {
            String path = address.startsWith("unix:") ? address.substring(5) : address;
            if (path.isEmpty() || path.startsWith("@")) {
                throw new CommandLine.ParameterException(
                        cl,
                        "--address " + address + ": give a socket file's path (aw sockets unix lists abstract names)");
            }
            report = UnixProbe.run(Path.of(path));
            heading = "Sockets at this path (/proc/net/unix)";
        } else {
            Matcher m = HOST_PORT.matcher(address);
            if (!m.matches()) {
                throw new CommandLine.ParameterException(
                        cl,
                        "--address must be HOST:PORT, [IPv6]:PORT or a Unix socket path (/path, unix:/path), not '"
                                + address + "'");
            }
            int port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                throw new CommandLine.ParameterException(
                        cl, "--address " + address + ": the port must be 1-65535, not " + port);
            }
            report = TcpProbe.run(m.group(1) != null ? m.group(1) : m.group(2), port, deadline);
            heading = "Sockets already to or from it (/proc/net/tcp, tcp6)";
        }
        PrintWriter out = cl.getOut();
        if (json) {
            ClientOptions.printJson(out, report.json());
        } else {
            report.print(out, heading);
        }
        out.flush();
        return report.ok() ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
