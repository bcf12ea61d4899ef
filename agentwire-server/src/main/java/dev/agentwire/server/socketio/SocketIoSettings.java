package dev.agentwire.server.socketio;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;

/**
 * The Socket.IO endpoint's knobs ({@code socketio.*}), fixed at start.
 *
 * @param enabled whether {@code /socket.io/} answers at all
 * @param pingIntervalMs how often the hub pings each session (Engine.IO's {@code pingInterval})
 * @param pingTimeoutMs how long a ping may wait for its pong before the session is closed ({@code pingTimeout})
 * @param maxPayload the largest polling body or WebSocket message a client may send ({@code maxPayload})
 * @param connectTimeoutMs how long a session may stay without a connected namespace
 * @param maxPending sessions without a connected namespace, in total; more handshakes get 503
 * @param recoveryWindowMs how long a disconnected socket can be recovered (connection state recovery)
 */
@Setting.Section("socketio")
public record SocketIoSettings(
        @Setting(
                value = "true",
                kind = Kind.BOOLEAN,
                doc = "serve Socket.IO (Engine.IO v4, Socket.IO v5) at /socket.io/")
        boolean enabled,

        @Setting(
                value = "25000",
                kind = Kind.MILLIS,
                min = 100,
                max = 3_600_000,
                doc = "how often the hub pings each Socket.IO session (pingInterval)")
        long pingIntervalMs,

        @Setting(
                value = "20000",
                kind = Kind.MILLIS,
                min = 100,
                max = 3_600_000,
                doc = "how long a ping waits for its pong before the session is closed (pingTimeout)")
        long pingTimeoutMs,

        @Setting(
                value = "1000000",
                kind = Kind.SIZE,
                min = 1024,
                max = 64 * 1024 * 1024,
                doc = "the largest polling body or WebSocket message a Socket.IO client may send (maxPayload)")
        int maxPayload,

        @Setting(
                value = "45000",
                kind = Kind.MILLIS,
                min = 100,
                max = 3_600_000,
                doc = "how long a Socket.IO session may stay without connecting to a namespace")
        long connectTimeoutMs,

        @Setting(
                value = "256",
                kind = Kind.INTEGER,
                min = 1,
                max = 1_000_000,
                doc = "Socket.IO sessions that have not connected a namespace yet, in total; more get 503")
        int maxPending,

        @Setting(
                value = "120000",
                kind = Kind.MILLIS,
                min = 0,
                max = 86_400_000,
                doc = "how long a disconnected Socket.IO socket can be recovered with what it missed; 0 turns it off")
        long recoveryWindowMs) {

    /** The defaults, as a hub without configuration runs. */
    public static SocketIoSettings defaults() {
        return new SocketIoSettings(true, 25_000, 20_000, 1_000_000, 45_000, 256, 120_000);
    }
}
