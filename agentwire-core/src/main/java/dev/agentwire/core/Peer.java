package dev.agentwire.core;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Who is at the other end of a connection, as far as the transport could tell: for Unix sockets the kernel's
 * peer credentials, for TCP the remote address.
 *
 * @param transport how the peer connected
 * @param address the socket path or {@code host:port}
 * @param uid the peer process's user id (Unix sockets)
 * @param gids the peer's group ids, primary first (Unix sockets; may be empty)
 * @param pid the peer process id (Linux; absent where the kernel does not tell)
 * @param executable the peer's executable path from {@code /proc/<pid>/exe}, where readable
 */
public record Peer(
        Transport transport,
        String address,
        OptionalInt uid,
        List<Integer> gids,
        OptionalLong pid,
        Optional<String> executable) {

    public Peer {
        gids = List.copyOf(gids);
    }

    /** A peer with only an address (TCP, tests). */
    public static Peer remote(Transport transport, String address) {
        return new Peer(transport, address, OptionalInt.empty(), List.of(), OptionalLong.empty(), Optional.empty());
    }

    /** The peer's primary group, if known. */
    public OptionalInt gid() {
        return gids.isEmpty() ? OptionalInt.empty() : OptionalInt.of(gids.get(0));
    }

    /** A short description for logs and errors: "uid 1000 pid 4242" or "127.0.0.1:51234". */
    public String describe() {
        StringBuilder sb = new StringBuilder(transport.label()).append(' ');
        if (uid.isPresent()) {
            sb.append("uid ").append(uid.getAsInt());
            pid.ifPresent(p -> sb.append(" pid ").append(p));
        } else {
            sb.append(address);
        }
        return sb.toString();
    }
}
