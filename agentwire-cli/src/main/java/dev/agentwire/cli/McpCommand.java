package dev.agentwire.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.client.Endpoint;
import dev.agentwire.client.HubIdentity;
import dev.agentwire.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aw mcp}: an MCP stdio server for clients that launch their servers as subprocesses (Claude Desktop,
 * Claude Code, Cursor). It relays NDJSON between stdin/stdout and the hub's Unix socket, where the hub answers
 * the MCP lifecycle and the session's tools. At the end of stdin it lets the hub answer, then exits 0.
 */
@Command(
        name = "mcp",
        mixinStandardHelpOptions = true,
        description = {
            "Serve the hub's tools to an MCP client over stdio (the client starts this command).",
            "Configure your MCP client with: {\"command\": \"aw\", \"args\": [\"mcp\"]}"
        })
final class McpCommand implements Callable<Integer> {

    /** The id of the bridge's own sessions/join; its answer is not passed to the MCP client. */
    static final String JOIN_ID = "aw-mcp-join";

    @Option(
            names = {"-c", "--connect"},
            paramLabel = "ENDPOINT",
            description = "unix:/path of the hub socket (default: the local hub from hub.json)")
    String endpoint;

    @Option(
            names = {"-s", "--session"},
            paramLabel = "ID",
            description = "the session whose tools to serve")
    String session;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint ep = endpoint != null ? Endpoint.parse(endpoint) : Endpoint.discover(Endpoint.home(System.getenv()));
        if (ep.kind() != Endpoint.Kind.UNIX) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "aw mcp connects to a Unix socket path (unix:/path); got " + ep);
        }
        SocketChannel hub;
        try {
            hub = SocketChannel.open(StandardProtocolFamily.UNIX);
            hub.connect(UnixDomainSocketAddress.of(ep.address()));
        } catch (IOException e) {
            throw new dev.agentwire.client.HubUnavailableException(ep, "no hub at " + ep + ": " + e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        try (hub) {
            HubIdentity.ofThisProcess().verify(ep, hub); // before a byte of the MCP client's is relayed
            LineReader fromHub = new LineReader(hub);
            if (session != null) {
                join(hub, fromHub);
            }
            Thread pump = new Thread(() -> pumpStdin(hub, err), "aw-mcp-stdin");
            pump.setDaemon(true);
            pump.start();
            String line;
            while ((line = fromHub.readLine()) != null) {
                System.out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                System.out.flush();
            }
        }
        return ExitCodes.OK;
    }

    private void join(SocketChannel toHub, LineReader fromHub) throws IOException {
        var params = Json.mapper().createObjectNode().put("sessionId", session);
        var request = Json.mapper()
                .createObjectNode()
                .put("jsonrpc", "2.0")
                .put("id", JOIN_ID)
                .put("method", "sessions/join");
        request.set("params", params);
        writeAll(toHub, request + "\n");
        String line;
        while ((line = fromHub.readLine()) != null) {
            JsonNode m = Json.mapper().readTree(line);
            if (JOIN_ID.equals(m.path("id").asText(null))) {
                if (m.has("error")) {
                    throw new IllegalStateException("cannot join session " + session + ": "
                            + m.path("error").path("message").asText());
                }
                return;
            }
        }
        throw new IllegalStateException("the hub closed the connection while joining session " + session);
    }

    private void pumpStdin(SocketChannel hub, PrintWriter err) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    writeAll(hub, line + "\n");
                }
            }
            hub.shutdownOutput(); // the hub answers what it was asked, then closes
        } catch (IOException e) {
            err.println("aw mcp: " + e.getMessage());
            err.flush();
            try {
                hub.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * Writes on the channel itself: a blocking SocketChannel reads and writes concurrently, but the streams of
     * {@code java.nio.channels.Channels} share one lock, so a pending read would stall every write.
     */
    private static void writeAll(SocketChannel ch, String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads UTF-8 lines straight from a channel. Not thread safe. */
    static final class LineReader {
        private final SocketChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        LineReader(SocketChannel ch) {
            this.ch = ch;
            buf.flip();
        }

        /** The next line without its newline, or null at the end of the stream. */
        String readLine() throws IOException {
            while (true) {
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        String s = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        return s;
                    }
                    line.write(b);
                }
                buf.clear();
                int n = ch.read(buf);
                buf.flip();
                if (n < 0) {
                    return line.size() > 0 ? flushRest() : null;
                }
            }
        }

        private String flushRest() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            return s;
        }
    }
}
