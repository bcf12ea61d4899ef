package dev.agentwire.core.rooms;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.ErrorCode;
import java.util.Optional;

/**
 * Direct-message rooms: a room named {@code @<identity>} is that identity's inbox (Socket.IO's per-socket room,
 * durable like any room). Only that identity reads it ({@code rooms/join}, {@code rooms/history},
 * {@code rooms/members}, {@code rooms/list}); whoever holds {@code rooms:write:@<identity>} writes to it. The
 * identity is the authenticated one ({@link Connection#identity()}: a scoped token's {@code sub}, {@code uid:N}
 * on the Unix socket), never the self-chosen {@code hub/hello} name. Stateless.
 */
public final class Inboxes {

    private Inboxes() {}

    /** Whose inbox {@code room} is, if it is one. */
    public static Optional<String> owner(String room) {
        return room.startsWith("@") ? Optional.of(room.substring(1)) : Optional.empty();
    }

    /** The inbox of {@code identity}. */
    public static String of(String identity) {
        return "@" + identity;
    }

    /** Whether {@code c} may read {@code room}'s messages as far as inboxes go (true for a room that is none). */
    public static boolean readableBy(String room, Connection c) {
        return owner(room).map(o -> o.equals(c.identity())).orElse(true);
    }

    /** Throws {@code -32005 not_your_inbox} when {@code room} is another identity's inbox. */
    static void checkReader(String room, Connection c) {
        if (!readableBy(room, c)) {
            var data = HubException.reasonData("not_your_inbox");
            data.put("room", room);
            data.put("identity", c.identity());
            throw HubException.withData(
                    ErrorCode.FORBIDDEN,
                    room + " is the inbox of " + room.substring(1) + "; only that identity reads it (you are "
                            + c.identity() + "); send to it with rooms/publish",
                    data);
        }
    }
}
