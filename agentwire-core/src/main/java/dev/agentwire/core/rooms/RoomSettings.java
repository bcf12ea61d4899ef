package dev.agentwire.core.rooms;

/**
 * Limits of rooms, fixed at start.
 *
 * @param maxMessages messages a room keeps (older ones are trimmed)
 * @param maxAgeSeconds how long a message is kept
 * @param maxTextBytes the largest {@code text} plus {@code data} of one message
 * @param maxRoomsPerConnection rooms one connection may be in
 * @param publishesPerMinute publishes per identity per minute (the seed's rate limit); 0 turns it off
 * @param maxRecover messages a rejoin with {@code since} recovers at most
 */
public record RoomSettings(
        int maxMessages,
        long maxAgeSeconds,
        int maxTextBytes,
        int maxRoomsPerConnection,
        int publishesPerMinute,
        int maxRecover) {

    public static RoomSettings defaults() {
        return new RoomSettings(10_000, 7 * 24 * 3600, 64 * 1024, 100, 6000, 10_000);
    }
}
