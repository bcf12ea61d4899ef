package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a hub listens: a Unix socket path, a Linux abstract socket name, or a TCP host and port.
 *
 * @param kind which of the three
 * @param address the path, the abstract name (without {@code @}), or the host
 * @param port the TCP port (0 for Unix sockets)
 */
public record Endpoint(Kind kind, String address, int port) {

    /** The kinds of endpoint. */
    public enum Kind {
        UNIX,
        ABSTRACT,
        TCP
    }

    /** Parses {@code unix:/path}, {@code unix:@name}, {@code tcp://host:port}, or a bare path. */
    public static Endpoint parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an endpoint is required: unix:/path, unix:@name or tcp://host:port");
        }
        if (text.startsWith("tcp://")) {
            URI uri = URI.create(text);
            if (uri.getHost() == null || uri.getPort() <= 0) {
                throw new IllegalArgumentException("bad TCP endpoint '" + text + "': expected tcp://host:port");
            }
            return new Endpoint(Kind.TCP, uri.getHost(), uri.getPort());
        }
        String rest = text.startsWith("unix:") ? text.substring(5) : text;
        if (rest.startsWith("@")) {
            if (rest.length() == 1) {
                throw new IllegalArgumentException("bad endpoint '" + text + "': an abstract name is empty");
            }
            return new Endpoint(Kind.ABSTRACT, rest.substring(1), 0);
        }
        if (rest.isEmpty() || text.contains("://")) {
            throw new IllegalArgumentException(
                    "bad endpoint '" + text + "': expected unix:/path, unix:@name or tcp://host:port");
        }
        return new Endpoint(Kind.UNIX, Path.of(rest).toAbsolutePath().toString(), 0);
    }

    /** {@code AGENTWIRE_HOME} or {@code ~/.agentwire}. */
    public static Path home(Map<String, String> env) {
        String home = env.get("AGENTWIRE_HOME");
        return home != null && !home.isBlank()
                ? Path.of(home).toAbsolutePath()
                : Path.of(System.getProperty("user.home"), ".agentwire");
    }

    /**
     * The local hub's Unix socket, from {@code hub.json} in {@code home}; {@code home/hub.sock} when there is no
     * {@code hub.json} (so the error names the expected path).
     */
    public static Endpoint discover(Path home) {
        Path info = home.resolve("hub.json");
        if (Files.isReadable(info)) {
            try {
                JsonNode json = Json.mapper().readTree(info.toFile());
                String socket = json.path("sockets").path("hub").asText("");
                if (!socket.isEmpty()) {
                    return parse("unix:" + socket);
                }
            } catch (IOException | IllegalArgumentException e) {
                // fall through to the default path
            }
        }
        return new Endpoint(Kind.UNIX, home.resolve("hub.sock").toString(), 0);
    }

    /** Whether this is a Unix socket (path or abstract). */
    public boolean isUnix() {
        return kind != Kind.TCP;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case UNIX -> "unix:" + address;
            case ABSTRACT -> "unix:@" + address;
            case TCP -> "tcp://" + address + ":" + port;
        };
    }
}
