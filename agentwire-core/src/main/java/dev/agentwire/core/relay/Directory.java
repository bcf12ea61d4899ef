package dev.agentwire.core.relay;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who provides what: entries under a name (a service's instances, a session's tools), each owned by one connection
 * of one hub. A call looks its name up here, picks an entry, and reaches the owner through a {@link ProviderLink}:
 * a {@link LocalProvider} when the owner is on this hub, a link to the owner's hub otherwise.
 *
 * <p>An entry is known by its name and owner: registering the same pair again replaces it. The value is what the
 * feature keeps about the entry; a directory shared between hubs carries it to the others, so it must not change
 * once registered (load and statistics are each hub's own and stay out of it).
 *
 * <p>Thread safe. Lookups are cheap and see a snapshot. Listeners hear this hub's changes synchronously, on the
 * changing thread, in the order they happened; a shared directory tells other hubs' changes on its own thread.
 * Implemented by {@link LocalDirectory} (one hub).
 *
 * @param <V> what the feature keeps about each entry
 */
public interface Directory<V> {

    /**
     * Who owns an entry: a connection of a hub (connection ids are the hub's own, so both are needed), or the hub
     * itself ({@link #HUB}) for what outlives its connections, such as a session.
     */
    record Owner(String hub, long connection) {
        /** The connection number of an entry the hub itself owns (connections are numbered from 1). */
        public static final long HUB = 0;

        public boolean isHub() {
            return connection == HUB;
        }
    }

    /** One entry: its name, its owner, and what the feature keeps about it. */
    record Entry<V>(String name, Owner owner, V value) {}

    /**
     * Entries to register (or replace) and entries to remove, made at once by {@link #update}. An entry to remove is
     * known by its name and owner.
     */
    record Changes<V>(List<Entry<V>> register, List<Entry<V>> unregister) {
        public Changes {
            register = List.copyOf(register);
            unregister = List.copyOf(unregister);
        }

        public static <V> Changes<V> none() {
            return new Changes<>(List.of(), List.of());
        }

        public boolean isEmpty() {
            return register.isEmpty() && unregister.isEmpty();
        }
    }

    /** What happened to an entry. A replacement is told as {@code REGISTERED} with the new entry. */
    enum Change {
        REGISTERED,
        UNREGISTERED
    }

    /** Told of every change; must be quick and must not block (it runs on the thread that made the change). */
    @FunctionalInterface
    interface Listener<V> {
        void changed(Change change, Entry<V> entry);
    }

    /**
     * Changes several entries at once, as {@code plan} decides from the entries whose names start with
     * {@code prefix}: no other change to those names comes between the read and the write, and when {@code plan}
     * throws nothing changes (the exception reaches the caller). This keeps a rule that spans entries, such as "a
     * name has one owner" or "at most so many under a prefix", on one hub as on several: a shared directory runs it
     * as an optimistic transaction and calls {@code plan} again when another hub changed those names first, so
     * {@code plan} must only compute. Removals come first, then registrations, each told to the listeners; every
     * name changed must start with {@code prefix}.
     *
     * @param plan given the entries under {@code prefix} in name order (and registration order within a name)
     * @return the changes made, with each removal as the entry that was removed (removals of absent entries are
     *     left out)
     * @throws IllegalArgumentException if {@code plan} names an entry outside {@code prefix}
     */
    Changes<V> update(String prefix, Function<List<Entry<V>>, Changes<V>> plan);

    /**
     * Up to {@code limit} entries whose names start with {@code prefix} and sort after {@code prefix + after}
     * ({@code ""}: from the first), in name order: a page of a listing that may go on after the last one returned.
     */
    List<Entry<V>> scan(String prefix, String after, int limit);

    /** This hub's name in the directory: the hub of the owners it makes. */
    String hub();

    /** The owner that is {@code connectionId} on this hub. */
    default Owner owner(long connectionId) {
        return new Owner(hub(), connectionId);
    }

    /** This hub as an owner: of entries that outlive its connections. */
    default Owner self() {
        return new Owner(hub(), Owner.HUB);
    }

    /**
     * Adds {@code entry}, after the other entries of its name; an entry with the same name and owner is replaced
     * (and moves to the end).
     *
     * @return the entry replaced, if any
     */
    Optional<Entry<V>> register(Entry<V> entry);

    /** Removes the entry {@code owner} has under {@code name}; the entry removed, if there was one. */
    Optional<Entry<V>> unregister(String name, Owner owner);

    /** Removes every entry of {@code owner} (its connection closed, its hub died); those removed, by name. */
    List<Entry<V>> unregisterAll(Owner owner);

    /** The entries under {@code name}, in registration order: a snapshot that later changes leave alone. */
    List<Entry<V>> lookup(String name);

    /** The names that have at least one entry, sorted. */
    List<String> names();

    /** Tells {@code listener} of every change from now on. */
    void listen(Listener<V> listener);
}
