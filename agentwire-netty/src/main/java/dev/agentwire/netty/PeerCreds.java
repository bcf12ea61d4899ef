package dev.agentwire.netty;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the kernel says about the process at the other end of a Unix socket.
 *
 * @param uid user id (absent on the NIO fallback, which only learns the user name)
 * @param gids group ids, primary first
 * @param pid process id (Linux; absent elsewhere)
 * @param user user name (NIO fallback only)
 */
public record PeerCreds(OptionalInt uid, List<Integer> gids, OptionalLong pid, Optional<String> user) {

    public PeerCreds {
        gids = List.copyOf(gids);
    }
}
