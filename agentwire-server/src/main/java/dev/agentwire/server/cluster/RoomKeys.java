package dev.agentwire.server.cluster;

/**
 * The Redis keys and channels of rooms. A room's keys share the hash tag {@code {room:NAME}}, so that in Redis
 * Cluster they live in one slot and the publish script may touch them all (room names hold no braces).
 */
final class RoomKeys {

    /** Every room's name: {@code rooms/list} and the minutely trim read it. */
    static final String ROOMS = "agentwire:rooms";

    private RoomKeys() {}

    private static String tag(String room) {
        return "agentwire:{room:" + room + "}";
    }

    /** The room's meta hash: {@code epoch}, {@code top} (the newest offset). */
    static String meta(String room) {
        return tag(room) + ":meta";
    }

    /** The room's stream: entry {@code OFFSET-0} holds {@code t} (timestamp) and {@code m} (the message JSON). */
    static String stream(String room) {
        return tag(room) + ":stream";
    }

    /** What a publish with a client message id stored: {@code OFFSET:ID}, for a retry to find. */
    static String idempotency(String room, String from, String clientMessageId) {
        return tag(room) + ":idem:" + from.length() + ":" + from + ":" + clientMessageId;
    }

    /** Where the room's messages are published: {@code OFFSET:EPOCH:HUB:JSON}. */
    static String channel(String room) {
        return tag(room) + ":live";
    }

    /** The room a {@link #channel} is of, or null. */
    static String roomOf(String channel) {
        String prefix = "agentwire:{room:";
        String suffix = "}:live";
        if (channel.startsWith(prefix) && channel.endsWith(suffix)) {
            return channel.substring(prefix.length(), channel.length() - suffix.length());
        }
        return null;
    }

    /** A hub's own channel, which only it hears: its pub/sub connection's liveness probe. */
    static String probe(String hub) {
        return "agentwire:hub:" + hub + ":probe";
    }
}
