package dev.agentwire.core.rooms;

import java.util.List;

/**
 * Limits of rooms, fixed at start.
 *
 * @param maxMessages messages a room keeps (older ones are trimmed)
 * @param maxAgeSeconds how long a message is kept
 * @param maxTextBytes the largest {@code text} plus {@code data} of one message
 * @param maxRoomsPerConnection rooms one connection may be in
 * @param publishesPerMinute publishes per identity per minute (the seed's rate limit); 0 turns it off
 * @param maxRecover messages a rejoin with {@code since} recovers at most
 * @param retention per-room overrides of {@code maxMessages} and {@code maxAgeSeconds}; the first match wins
 */
public record RoomSettings(
        int maxMessages,
        long maxAgeSeconds,
        int maxTextBytes,
        int maxRoomsPerConnection,
        int publishesPerMinute,
        int maxRecover,
        List<Retention> retention) {

    /**
     * Retention for the rooms a pattern names: an exact name, or a prefix ending in {@code *}.
     *
     * @param pattern {@code lobby} or {@code logs/*}
     */
    public record Retention(String pattern, int maxMessages, long maxAgeSeconds) {

        boolean matches(String room) {
            return pattern.endsWith("*")
                    ? room.startsWith(pattern.substring(0, pattern.length() - 1))
                    : pattern.equals(room);
        }
    }

    public RoomSettings {
        retention = List.copyOf(retention);
    }

    public static RoomSettings defaults() {
        return new RoomSettings(10_000, 7 * 24 * 3600, 64 * 1024, 100, 6000, 10_000, List.of());
    }

    /** Messages {@code room} keeps. */
    public int maxMessages(String room) {
        return retention.stream()
                .filter(r -> r.matches(room))
                .findFirst()
                .map(Retention::maxMessages)
                .orElse(maxMessages);
    }

    /** Seconds {@code room} keeps a message. */
    public long maxAgeSeconds(String room) {
        return retention.stream()
                .filter(r -> r.matches(room))
                .findFirst()
                .map(Retention::maxAgeSeconds)
                .orElse(maxAgeSeconds);
    }
}
