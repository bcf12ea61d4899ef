package dev.agentwire.server.socketio;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sockets that lost their connection and may come back (Socket.IO's connection state recovery): by private id,
 * what each needs to pick up where it stopped, until the window ends. Expired entries go when the next one is
 * kept or taken. Thread safe.
 */
final class Recoveries {

    /** What a lost socket leaves behind: its ids, its identity, the rooms it was in and how far it got. */
    record Lost(String socketId, String pid, String identity, SocketIoSocket.Marks marks, long until) {}

    private final long windowMs;
    private final Map<String, Lost> lost = new ConcurrentHashMap<>();

    Recoveries(long windowMs) {
        this.windowMs = windowMs;
    }

    boolean enabled() {
        return windowMs > 0;
    }

    void keep(String socketId, String pid, String identity, SocketIoSocket.Marks marks) {
        if (!enabled()) {
            return;
        }
        long now = System.currentTimeMillis();
        lost.values().removeIf(l -> l.until() < now);
        lost.put(pid, new Lost(socketId, pid, identity, marks, now + windowMs));
    }

    /** The lost socket {@code pid} of {@code identity}, if it is still within its window; taken only once. */
    Optional<Lost> take(String pid, String identity) {
        if (pid == null) {
            return Optional.empty();
        }
        Lost l = lost.get(pid);
        if (l == null || !l.identity().equals(identity)) {
            return Optional.empty(); // another identity's guess does not spend the owner's recovery
        }
        if (!lost.remove(pid, l) || l.until() < System.currentTimeMillis()) {
            return Optional.empty();
        }
        return Optional.of(l);
    }
}
