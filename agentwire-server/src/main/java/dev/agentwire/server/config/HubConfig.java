package dev.agentwire.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hub's configuration, validated and immutable. Build one with {@link ConfigLoader}; keys are described in
 * {@link ConfigKeys} and {@code docs/CONFIGURATION.md}. A feature's own knobs are not fields here: they are its
 * settings record, from {@link #section}.
 */
public record HubConfig(
        Path home,
        Path socketPath,
        boolean socketAbstract,
        String abstractName,
        int socketMode,
        boolean socketCleanup,
        Optional<String> socketGroup,
        int sendBuffer,
        int receiveBuffer,
        int highWaterMark,
        boolean noDelay,
        String host,
        int clientPort,
        int ioThreads,
        int workerThreads,
        String logLevel,
        boolean logTransport,
        List<Integer> allowUids,
        List<Integer> allowGids,
        List<String> allowProcesses,
        List<String> allowedOrigins,
        List<String> allowedHosts,
        long loginCookieSeconds,
        int maxMessageBytes,
        double ratePerSecond,
        int rateBurst,
        long maxOutboundBytes,
        long slowConsumerGraceMs,
        long helloTimeoutMs,
        int idlePingSeconds,
        long shutdownGraceMs,
        dev.agentwire.core.rooms.RoomSettings rooms,
        List<String> serviceSockets,
        dev.agentwire.core.router.RouterSettings router,
        dev.agentwire.core.TrustLimits limits,
        int maxServiceSockets,
        int maxTcpConnections,
        int maxUnauthenticated,
        int maxUnauthenticatedPerAddress,
        long httpHeaderTimeoutMs,
        long httpBodyTimeoutMs,
        long httpIdleTimeoutMs,
        long auditMaxBytes,
        long heartbeatSeconds,
        Map<Class<? extends Record>, Record> sections) {

    public HubConfig {
        sections = Map.copyOf(sections);
    }

    /**
     * A feature's settings, as its record declares them ({@link dev.agentwire.core.Setting}) and the configuration
     * sets them. Throws {@link IllegalArgumentException} for a record the loader was not given.
     */
    public <T extends Record> T section(Class<T> type) {
        Record r = sections.get(type);
        if (r == null) {
            throw new IllegalArgumentException("no config section is bound to " + type.getName() + " (bound: "
                    + sections.keySet().stream()
                            .map(Class::getSimpleName)
                            .sorted()
                            .toList() + ")");
        }
        return type.cast(r);
    }

    /** {@code sessions.ttl} in seconds (older callers; the sessions feature reads its own section). */
    public long sessionsTtlSeconds() {
        return section(dev.agentwire.core.sessions.SessionsFeature.Settings.class)
                .ttl()
                .toSeconds();
    }

    /** Whether the TCP port is on. */
    public boolean tcpEnabled() {
        return clientPort >= 0;
    }

    /** The hub socket as clients name it: the path, or {@code @name} for an abstract socket. */
    public String socketDisplay() {
        return socketAbstract ? "@" + abstractName : socketPath.toString();
    }

    /**
     * This configuration with the home at {@code realHome}, its real path (resolved once at start, so that a link
     * swapped later changes nothing): the socket path moves with it when it lay in the home.
     */
    public HubConfig withHome(Path realHome) {
        Path base = home.toAbsolutePath();
        Path socket = socketPath.startsWith(base) ? realHome.resolve(base.relativize(socketPath)) : socketPath;
        return new HubConfig(
                realHome,
                socket,
                socketAbstract,
                abstractName,
                socketMode,
                socketCleanup,
                socketGroup,
                sendBuffer,
                receiveBuffer,
                highWaterMark,
                noDelay,
                host,
                clientPort,
                ioThreads,
                workerThreads,
                logLevel,
                logTransport,
                allowUids,
                allowGids,
                allowProcesses,
                allowedOrigins,
                allowedHosts,
                loginCookieSeconds,
                maxMessageBytes,
                ratePerSecond,
                rateBurst,
                maxOutboundBytes,
                slowConsumerGraceMs,
                helloTimeoutMs,
                idlePingSeconds,
                shutdownGraceMs,
                rooms,
                serviceSockets,
                router,
                limits,
                maxServiceSockets,
                maxTcpConnections,
                maxUnauthenticated,
                maxUnauthenticatedPerAddress,
                httpHeaderTimeoutMs,
                httpBodyTimeoutMs,
                httpIdleTimeoutMs,
                auditMaxBytes,
                heartbeatSeconds,
                sections);
    }

    @SuppressWarnings("unchecked")
    static HubConfig from(Path home, Map<String, Object> v, Map<Class<? extends Record>, Record> sections) {
        String rawPath = (String) v.get("server.socket.path");
        boolean isAbstract = (Boolean) v.get("server.socket.abstract");
        String abstractName = "";
        Path socketPath;
        if (isAbstract) {
            abstractName = rawPath.isEmpty() ? "agentwire-" + System.getProperty("user.name") : stripAbstract(rawPath);
            if (abstractName.isEmpty()) {
                throw new ConfigException("config key server.socket.path: an abstract socket needs a name");
            }
            socketPath = home.resolve("hub.sock");
        } else {
            if (rawPath.startsWith("@") || rawPath.startsWith("\0")) {
                throw new ConfigException("config key server.socket.path has the abstract name '" + rawPath
                        + "'; set server.socket.abstract: true (or use --abstract NAME)");
            }
            socketPath = rawPath.isEmpty() ? home.resolve("hub.sock") : expandHome(rawPath);
        }
        String group = (String) v.get("server.socket.group");
        int cores = Runtime.getRuntime().availableProcessors();
        int io = ((Long) v.get("server.ioThreads")).intValue();
        int workers = ((Long) v.get("server.workerThreads")).intValue();
        return new HubConfig(
                home,
                socketPath.toAbsolutePath(),
                isAbstract,
                abstractName,
                (Integer) v.get("server.socket.mode"),
                (Boolean) v.get("server.socket.cleanup"),
                group.isEmpty() ? Optional.empty() : Optional.of(group),
                ((Long) v.get("server.socket.sendBuffer")).intValue(),
                ((Long) v.get("server.socket.receiveBuffer")).intValue(),
                ((Long) v.get("server.socket.highWaterMark")).intValue(),
                (Boolean) v.get("server.socket.noDelay"),
                (String) v.get("server.host"),
                ((Long) v.get("clientPort")).intValue(),
                io == 0 ? cores : io,
                workers == 0 ? Math.max(2, cores) : workers,
                (String) v.get("logging.level"),
                (Boolean) v.get("logging.transport"),
                ((List<Long>) v.get("security.allowUids"))
                        .stream().map(Long::intValue).toList(),
                ((List<Long>) v.get("security.allowGids"))
                        .stream().map(Long::intValue).toList(),
                (List<String>) v.get("security.allowProcesses"),
                (List<String>) v.get("security.allowedOrigins"),
                (List<String>) v.get("security.allowedHosts"),
                (Long) v.get("security.loginCookieSeconds"),
                ((Long) v.get("limits.maxMessageBytes")).intValue(),
                (Double) v.get("limits.ratePerSecond"),
                ((Long) v.get("limits.rateBurst")).intValue(),
                (Long) v.get("limits.maxOutboundBytes"),
                (Long) v.get("limits.slowConsumerGraceMs"),
                (Long) v.get("limits.helloTimeoutMs"),
                ((Long) v.get("limits.idlePingSeconds")).intValue(),
                (Long) v.get("limits.shutdownGraceMs"),
                (dev.agentwire.core.rooms.RoomSettings) sections.get(dev.agentwire.core.rooms.RoomSettings.class),
                (List<String>) v.get("services.sockets"),
                (dev.agentwire.core.router.RouterSettings) sections.get(dev.agentwire.core.router.RouterSettings.class),
                new dev.agentwire.core.TrustLimits(
                        ((Long) v.get("limits.maxConnectionsPerIdentity")).intValue(),
                        ((Long) v.get("limits.maxSessionsPerIdentity")).intValue(),
                        java.time.Duration.ofSeconds((Long) v.get("sessions.maxTtlSeconds")),
                        ((Long) v.get("limits.maxBatchEntries")).intValue(),
                        (Long) v.get("limits.maxOutboundBytes")),
                ((Long) v.get("services.maxSockets")).intValue(),
                ((Long) v.get("limits.maxTcpConnections")).intValue(),
                ((Long) v.get("limits.maxUnauthenticated")).intValue(),
                ((Long) v.get("limits.maxUnauthenticatedPerAddress")).intValue(),
                (Long) v.get("limits.httpHeaderTimeoutMs"),
                (Long) v.get("limits.httpBodyTimeoutMs"),
                (Long) v.get("limits.httpIdleTimeoutMs"),
                (Long) v.get("audit.maxBytes"),
                (Long) v.get("events.heartbeatSeconds"),
                sections);
    }

    private static String stripAbstract(String s) {
        return s.startsWith("@") || s.startsWith("\0") ? s.substring(1) : s;
    }

    static Path expandHome(String p) {
        if (p.equals("~") || p.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + p.substring(1));
        }
        return Path.of(p);
    }
}
