package dev.agentwire.core.sessions;

import java.util.List;

/**
 * Where a hub keeps the sessions it created, so that they outlive a restart (the server's is a table in
 * {@code hub.db}). Only what {@link Session.Info} holds is kept: the owner, the name, the creation time and the
 * limits; members, tools and calls belong to connections and are not. Its methods block: the sessions call them
 * from workers and timers, never from an event loop. Thread safe.
 */
public interface SessionStore extends AutoCloseable {

    /** A session as stored: its id and what the directory keeps of it. */
    record Stored(String id, Session.Info info) {}

    /** Keeps nothing: sessions end with the hub (a hub in a cluster, whose sessions are in Redis; tests). */
    SessionStore NONE = new SessionStore() {
        @Override
        public List<Stored> load() {
            return List.of();
        }

        @Override
        public void save(Stored session) {}

        @Override
        public void delete(String id) {}

        @Override
        public void close() {}
    };

    /** Every stored session; a row that cannot be read is left out (and logged) by the store. */
    List<Stored> load();

    /** Keeps {@code session} (or replaces the one with its id). */
    void save(Stored session);

    /** Forgets the session {@code id}; nothing if there is none. */
    void delete(String id);

    @Override
    void close();
}
