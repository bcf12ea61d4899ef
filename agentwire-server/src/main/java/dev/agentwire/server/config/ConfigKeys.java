package dev.agentwire.server.config;

import static dev.agentwire.server.config.ValueParsers.BOOLEAN;
import static dev.agentwire.server.config.ValueParsers.FILE_MODE;
import static dev.agentwire.server.config.ValueParsers.STRING;
import static dev.agentwire.server.config.ValueParsers.decimal;
import static dev.agentwire.server.config.ValueParsers.integer;
import static dev.agentwire.server.config.ValueParsers.listOf;
import static dev.agentwire.server.config.ValueParsers.oneOf;
import static dev.agentwire.server.config.ValueParsers.size;

import dev.agentwire.core.services.ServicesFeature;
import dev.agentwire.core.sessions.SessionsFeature;
import dev.agentwire.core.terminals.TerminalService;
import dev.agentwire.core.tools.ToolsFeature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Every configuration key the hub knows, with its default and its parser. A feature's knobs are declared on its
 * settings record ({@link dev.agentwire.core.Setting}) and listed here by {@link #section}; the rest (the server's
 * own, and the kernel's limits) are declared here.
 */
public final class ConfigKeys {

    /** A configuration key. {@code defaultText} is parsed like any other value; "" means "unset". */
    public record Key(String path, String defaultText, Function<RawValue, Object> parser, String help) {

        /** {@code server.socket.path} becomes {@code AGENTWIRE_SERVER_SOCKET_PATH}. */
        public String envName() {
            return "AGENTWIRE_"
                    + path.replace('.', '_')
                            .replaceAll("([a-z])([A-Z])", "$1_$2")
                            .toUpperCase(Locale.ROOT);
        }
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();
    private static final List<Class<? extends Record>> SECTIONS = new ArrayList<>();

    static {
        add(
                "server.transport",
                "socket-native",
                oneOf(Set.of("socket-native", "unix")),
                "the agent transport: socket-native (Unix domain socket); unix is an alias");
        add("server.socket.path", "", STRING, "the hub socket path (default AGENTWIRE_HOME/hub.sock) or abstract name");
        add("server.socket.mode", "0600", FILE_MODE, "the socket file's mode (octal)");
        add("server.socket.cleanup", "true", BOOLEAN, "remove a stale socket file left by a dead hub");
        add("server.socket.abstract", "false", BOOLEAN, "bind a Linux abstract name instead of a file");
        add("server.socket.group", "", STRING, "group to give the socket file (with mode 0660)");
        add("server.socket.sendBuffer", "0", size(0, 1L << 30), "SO_SNDBUF; 0 keeps the OS default");
        add("server.socket.receiveBuffer", "0", size(0, 1L << 30), "SO_RCVBUF; 0 keeps the OS default");
        add(
                "server.socket.highWaterMark",
                "1MiB",
                size(1024, 1L << 30),
                "outbound bytes queued per connection before the hub stops reading from it");
        add("server.socket.noDelay", "true", BOOLEAN, "TCP_NODELAY on TCP connections");
        add("server.host", "127.0.0.1", STRING, "address the TCP port binds");
        add("server.ioThreads", "0", integer(0, 256), "event loop threads; 0 picks one per core");
        add("server.workerThreads", "0", integer(0, 1024), "threads that run handlers; 0 picks max(2, cores)");
        add(
                "clientPort",
                "8765",
                integer(-1, 65535),
                "the TCP port for WebSocket, HTTP and token clients; 0 picks one, -1 turns TCP off");
        section(SessionsFeature.Settings.class);
        add(
                "sessions.maxTtlSeconds",
                "604800",
                integer(1, Integer.MAX_VALUE),
                "the longest lifetime sessions/create may ask for, in seconds");
        section(ToolsFeature.Settings.class);
        section(ServicesFeature.Settings.class);
        add(
                "services.sockets",
                "",
                listOf(ValueParsers.SERVICE_NAME),
                "services that get a socket AGENTWIRE_HOME/agents/NAME.sock (the orchestrator's per-agent sockets)");
        add(
                "services.maxSockets",
                "64",
                integer(1, 10_000),
                "agents/NAME.sock sockets services/socket may open at once (those of services.sockets count too)");
        section(TerminalService.Settings.class);
        section(dev.agentwire.core.router.RouterSettings.class);
        section(dev.agentwire.core.rooms.RoomSettings.class);
        section(dev.agentwire.core.calls.CallsFeature.Settings.class);
        section(dev.agentwire.server.socketio.SocketIoSettings.class);
        section(dev.agentwire.server.mcp.McpHttpSettings.class);
        section(dev.agentwire.server.cluster.ClusterSettings.class);
        section(dev.agentwire.server.cluster.RedisAgentSettings.class);
        section(GenerateSettings.class);
        add("logging.level", "info", oneOf(Set.of("trace", "debug", "info", "warn", "error", "off")), "log level");
        add("logging.transport", "false", BOOLEAN, "log every call and its outcome");
        add("security.allowUids", "", listOf(integer(0, 0xFFFFFFFFL)), "further uids allowed on the Unix socket");
        add("security.allowGids", "", listOf(integer(0, 0xFFFFFFFFL)), "groups allowed on the Unix socket");
        add(
                "security.allowProcesses",
                "",
                listOf(ValueParsers.EXECUTABLE),
                "absolute paths of the executables allowed on the Unix socket, matched by real path (empty: any)");
        add(
                "security.allowedOrigins",
                "",
                listOf(STRING),
                "origins besides the hub's own whose pages may open a WebSocket or POST (they still need a token)");
        add(
                "security.allowedHosts",
                "",
                listOf(STRING),
                "Host names besides 127.0.0.1, localhost and [::1] that name the hub (NAME takes the hub's port, or NAME:PORT)");
        add(
                "security.loginCookieSeconds",
                "43200",
                integer(1, 30L * 86_400),
                "how long a browser login (the cookie from aw open) lasts");
        add("limits.maxMessageBytes", "16MiB", size(64, Integer.MAX_VALUE), "largest line, frame or message");
        add("limits.ratePerSecond", "10000", decimal(0, 1e9), "calls per second per connection; 0 turns it off");
        add("limits.rateBurst", "20000", integer(1, Integer.MAX_VALUE), "calls a connection may make at once");
        add(
                "limits.maxOutboundBytes",
                "16MiB",
                size(4096, 1L << 31),
                "outbound bytes queued for one peer (a hub connection or an `ipc.sock` viewer) before it is closed as a slow consumer");
        add(
                "limits.slowConsumerGraceMs",
                "2000",
                integer(0, 600_000),
                "how long a peer may stay over limits.maxOutboundBytes before it is closed as a slow consumer");
        add("limits.helloTimeoutMs", "5000", integer(1, 600_000), "how long a TCP peer has to send hub/hello");
        add(
                "limits.maxConnectionsPerIdentity",
                "1024",
                integer(1, 1_000_000),
                "open connections one identity (a uid, a token's subject) may hold");
        add(
                "limits.maxSessionsPerIdentity",
                "32",
                integer(1, 1_000_000),
                "sessions one identity may have created and not closed");
        add("limits.maxBatchEntries", "1000", integer(1, 1_000_000), "calls in one JSON-RPC batch");
        add("audit.maxBytes", "10MiB", size(4096, 1L << 40), "audit.log is rotated to audit.log.1 past this size");
        add(
                "events.heartbeatSeconds",
                "30",
                integer(1, 86_400),
                "how often the heartbeat event goes to subscribers (control.sock's heartbeat category)");
        add(
                "limits.maxTcpConnections",
                "0",
                integer(0, 1_000_000),
                "TCP connections the hub holds at once; 0: the descriptor limit less 256 kept for the Unix sockets");
        add(
                "limits.maxUnauthenticated",
                "256",
                integer(1, 1_000_000),
                "TCP connections that have not authenticated yet, in total");
        add(
                "limits.maxUnauthenticatedPerAddress",
                "64",
                integer(1, 1_000_000),
                "TCP connections from one peer address that have not authenticated yet");
        add(
                "limits.httpHeaderTimeoutMs",
                "10000",
                integer(1, 600_000),
                "how long an HTTP request head may take from its first byte");
        add("limits.httpBodyTimeoutMs", "30000", integer(1, 3_600_000), "how long an HTTP request body may take");
        add(
                "limits.httpIdleTimeoutMs",
                "60000",
                integer(1, 3_600_000),
                "how long a keep-alive HTTP connection may sit idle between requests");
        add(
                "limits.idlePingSeconds",
                "30",
                integer(0, 86_400),
                "seconds of silence after which a TCP or WebSocket peer is pinged; closed after two unanswered pings; 0 turns it off");
        add("limits.shutdownGraceMs", "5000", integer(0, 600_000), "how long shutdown waits for calls in flight");
    }

    private ConfigKeys() {}

    private static void add(String path, String def, Function<RawValue, Object> parser, String help) {
        KEYS.put(path, new Key(path, def, parser, help));
    }

    /** Declares a feature's settings record: its keys, and that {@link HubConfig#section} builds it. */
    private static void section(Class<? extends Record> type) {
        for (Key k : SettingsBinder.keys(type)) {
            if (KEYS.putIfAbsent(k.path(), k) != null) {
                throw new IllegalStateException("config key " + k.path() + " is declared twice");
            }
        }
        SECTIONS.add(type);
    }

    /** The feature settings records the hub binds, in declaration order. */
    public static List<Class<? extends Record>> sections() {
        return Collections.unmodifiableList(SECTIONS);
    }

    /** All keys, in declaration order. */
    public static Map<String, Key> all() {
        return Collections.unmodifiableMap(KEYS);
    }

    public static Optional<Key> find(String path) {
        return Optional.ofNullable(KEYS.get(path));
    }

    /** Short environment names and the BTCP seed's, mapped to keys. */
    static final Map<String, String> ENV_ALIASES = Map.of(
            "AGENTWIRE_SOCKET", "server.socket.path",
            "AGENTWIRE_SOCKET_MODE", "server.socket.mode",
            "AGENTWIRE_PORT", "clientPort",
            "AGENTWIRE_TRANSPORT", "server.transport",
            "AGENTWIRE_LOG_LEVEL", "logging.level",
            "BTCP_TRANSPORT", "server.transport",
            "BTCP_SOCKET_PATH", "server.socket.path",
            "BTCP_SOCKET_MODE", "server.socket.mode");
}
