package dev.agentwire.core.relay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * The directory of a hub alone, in memory. Each name holds an immutable list that a change replaces, in a sorted
 * map, so lookups (on every call) take no lock and allocate nothing, and a prefix is a range of the map; changes
 * (registrations, closes, updates) are serialized on the directory, and listeners run under that lock so that they
 * hear changes in order. Thread safe.
 */
public final class LocalDirectory<V> implements Directory<V> {

    private final String hub;
    private final ConcurrentSkipListMap<String, List<Entry<V>>> entries = new ConcurrentSkipListMap<>();
    private final List<Listener<V>> listeners = new CopyOnWriteArrayList<>();

    /** The hub name of a directory of a hub alone. */
    public static final String ALONE = "local";

    /** A directory whose owners are on the hub named {@link #ALONE}. */
    public LocalDirectory() {
        this(ALONE);
    }

    public LocalDirectory(String hub) {
        this.hub = hub;
    }

    @Override
    public String hub() {
        return hub;
    }

    @Override
    public synchronized Optional<Entry<V>> register(Entry<V> entry) {
        List<Entry<V>> old = entries.getOrDefault(entry.name(), List.of());
        List<Entry<V>> next = new ArrayList<>(old.size() + 1);
        Entry<V> replaced = null;
        for (Entry<V> e : old) {
            if (e.owner().equals(entry.owner())) {
                replaced = e;
            } else {
                next.add(e);
            }
        }
        next.add(entry);
        entries.put(entry.name(), Collections.unmodifiableList(next));
        tell(Change.REGISTERED, entry);
        return Optional.ofNullable(replaced);
    }

    @Override
    public synchronized Optional<Entry<V>> unregister(String name, Owner owner) {
        List<Entry<V>> old = entries.get(name);
        if (old == null) {
            return Optional.empty();
        }
        Entry<V> removed = null;
        List<Entry<V>> next = new ArrayList<>(old.size());
        for (Entry<V> e : old) {
            if (e.owner().equals(owner)) {
                removed = e;
            } else {
                next.add(e);
            }
        }
        if (removed == null) {
            return Optional.empty();
        }
        if (next.isEmpty()) {
            entries.remove(name);
        } else {
            entries.put(name, Collections.unmodifiableList(next));
        }
        tell(Change.UNREGISTERED, removed);
        return Optional.of(removed);
    }

    @Override
    public synchronized List<Entry<V>> unregisterAll(Owner owner) {
        List<Entry<V>> removed = new ArrayList<>();
        for (String name : names()) {
            unregister(name, owner).ifPresent(removed::add);
        }
        return removed;
    }

    @Override
    public synchronized Changes<V> update(String prefix, Function<List<Entry<V>>, Changes<V>> plan) {
        Changes<V> changes = plan.apply(scan(prefix, "", Integer.MAX_VALUE));
        for (Entry<V> e : changes.unregister()) {
            checkUnder(prefix, e);
        }
        for (Entry<V> e : changes.register()) {
            checkUnder(prefix, e);
        }
        List<Entry<V>> removed = new ArrayList<>();
        for (Entry<V> e : changes.unregister()) {
            unregister(e.name(), e.owner()).ifPresent(removed::add);
        }
        changes.register().forEach(this::register);
        return new Changes<>(changes.register(), removed);
    }

    private static void checkUnder(String prefix, Entry<?> e) {
        if (!e.name().startsWith(prefix)) {
            throw new IllegalArgumentException(
                    "an update under \"" + prefix + "\" may not change \"" + e.name() + "\", which is outside it");
        }
    }

    @Override
    public List<Entry<V>> scan(String prefix, String after, int limit) {
        NavigableMap<String, List<Entry<V>>> range =
                after.isEmpty() ? entries.tailMap(prefix, true) : entries.tailMap(prefix + after, false);
        List<Entry<V>> out = new ArrayList<>();
        for (Map.Entry<String, List<Entry<V>>> e : range.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            for (Entry<V> entry : e.getValue()) {
                if (out.size() == limit) {
                    return out;
                }
                out.add(entry);
            }
        }
        return out;
    }

    @Override
    public List<Entry<V>> lookup(String name) {
        return entries.getOrDefault(name, List.of());
    }

    @Override
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    @Override
    public void listen(Listener<V> listener) {
        listeners.add(listener);
    }

    private void tell(Change change, Entry<V> entry) {
        for (Listener<V> l : listeners) {
            l.changed(change, entry);
        }
    }
}
