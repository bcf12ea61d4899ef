package dev.agentwire.core.rooms;

import dev.agentwire.core.Setting;
import dev.agentwire.core.Setting.Kind;
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
@Setting.Section("rooms")
public record RoomSettings(
        @Setting(value = "10000", kind = Kind.INTEGER, min = 1, max = 100_000_000, doc = "messages a room keeps")
        int maxMessages,

        @Setting(
                value = "604800",
                kind = Kind.INTEGER,
                min = 1,
                max = Long.MAX_VALUE / 1000,
                doc = "how long a room keeps a message")
        long maxAgeSeconds,

        @Setting(
                value = "64KiB",
                kind = Kind.SIZE,
                min = 1,
                max = Integer.MAX_VALUE,
                doc = "the largest text plus data of one message")
        int maxTextBytes,

        @Setting(
                key = "maxPerConnection",
                value = "100",
                kind = Kind.INTEGER,
                min = 1,
                max = 1_000_000,
                doc = "rooms one connection may be in")
        int maxRoomsPerConnection,

        @Setting(
                value = "6000",
                kind = Kind.INTEGER,
                min = 0,
                max = Integer.MAX_VALUE,
                doc = "publishes per identity per minute; 0 turns it off")
        int publishesPerMinute,

        @Setting(
                value = "10000",
                kind = Kind.INTEGER,
                min = 1,
                max = 10_000_000,
                doc = "messages a rejoin with since recovers at most")
        int maxRecover,

        @Setting(
                value = "",
                kind = Kind.LIST,
                doc = "per-room retention: ROOM=MAX_MESSAGES/MAX_AGE_SECONDS, ROOM may end in * (e.g."
                        + " logs/*=100000/86400)")
        List<Retention> retention) {

    /**
     * Retention for the rooms a pattern names: an exact name, or a prefix ending in {@code *}.
     *
     * @param pattern {@code lobby} or {@code logs/*}
     */
    public record Retention(String pattern, int maxMessages, long maxAgeSeconds) {

        private static final java.util.regex.Pattern FORM =
                java.util.regex.Pattern.compile("([A-Za-z0-9_.:@/\\-]+\\*?)=(\\d{1,9})/(\\d{1,12})");

        /** {@code ROOM=MAX_MESSAGES/MAX_AGE_SECONDS}, ROOM possibly ending in {@code *} (the {@code rooms.retention} items). */
        public static Retention parse(String text) {
            java.util.regex.Matcher m = FORM.matcher(text.trim());
            if (!m.matches() || Long.parseLong(m.group(2)) < 1 || Long.parseLong(m.group(3)) < 1) {
                throw new IllegalArgumentException(
                        "expected ROOM=MAX_MESSAGES/MAX_AGE_SECONDS, like lobby=1000/3600 or logs/*=100000/86400");
            }
            return new Retention(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)));
        }

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
