package dev.agentwire.core.catalog;

import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One session's prompts, resources and resource templates, each with the connection that provides it, and who
 * subscribed to which resource. A key has one provider; another identity may not take it over, the same identity
 * (or the owner) may with {@code replace}. A session holds at most {@code max} entries of each kind. Thread safe:
 * every method holds the catalog's lock, and none of them calls out.
 */
final class Catalog {

    private final int max;
    private final Map<Kind, TreeMap<String, CatalogEntry>> entries = new EnumMap<>(Kind.class);
    private final Map<String, Set<Connection>> subscribers = new HashMap<>();

    Catalog(int max) {
        this.max = max;
        for (Kind k : Kind.values()) {
            entries.put(k, new TreeMap<>());
        }
    }

    /**
     * Adds {@code adds} (keys distinct within each kind), all or none: every kind is checked before any is added.
     * Returns the entries it took from others.
     */
    synchronized List<CatalogEntry> register(Connection provider, Map<Kind, List<CatalogEntry>> adds, boolean replace) {
        List<CatalogEntry> displaced = new ArrayList<>();
        for (var e : adds.entrySet()) {
            displaced.addAll(check(provider, e.getKey(), e.getValue(), replace));
        }
        adds.forEach((kind, add) -> add.forEach(e -> entries.get(kind).put(e.key(), e)));
        return displaced;
    }

    /** Checks that {@code add} may go in; the entries it would take from others. Changes nothing. */
    private List<CatalogEntry> check(Connection provider, Kind kind, List<CatalogEntry> add, boolean replace) {
        TreeMap<String, CatalogEntry> table = entries.get(kind);
        List<CatalogEntry> displaced = new ArrayList<>();
        int added = 0;
        for (CatalogEntry e : add) {
            checkNoOverlap(provider, e);
            CatalogEntry held = table.get(e.key());
            if (held == null) {
                added++;
            } else if (held.provider() != provider) {
                checkMayTake(provider, e, held, replace);
                displaced.add(held);
            }
        }
        if (table.size() + added > max) {
            var data = HubException.reasonData("too_many_entries");
            data.put("limit", max);
            throw HubException.withData(
                    ErrorCode.INVALID_PARAMS,
                    "a session holds at most " + max + " " + kind.listName() + " (tools.maxPerSession); it has "
                            + table.size() + " and this would add " + added,
                    data);
        }
        return displaced;
    }

    /**
     * A resource or template of one identity may not shadow another identity's: a URI that another identity's
     * template matches, a template that matches another identity's resource or matches as another identity's
     * template does (the same text, whatever its variables are called).
     */
    private void checkNoOverlap(Connection provider, CatalogEntry e) {
        if (e.kind() == Kind.PROMPT || Scopes.allows(provider.scopes(), "admin")) {
            return;
        }
        List<CatalogEntry> others = new ArrayList<>();
        entries.get(Kind.RESOURCE).values().forEach(others::add);
        entries.get(Kind.TEMPLATE).values().forEach(others::add);
        for (CatalogEntry o : others) {
            if (o.subject().equals(provider.subject()) || o.key().equals(e.key())) {
                continue; // the same identity's, or the same key (checkMayTake's)
            }
            boolean overlaps = e.kind() == Kind.RESOURCE
                    ? o.kind() == Kind.TEMPLATE && o.template().orElseThrow().matches(e.key())
                    : o.kind() == Kind.RESOURCE
                            ? e.template().orElseThrow().matches(o.key())
                            : e.template().orElseThrow().sameAs(o.template().orElseThrow());
            if (overlaps) {
                throw HubException.of(
                        ErrorCode.FORBIDDEN,
                        "not_yours",
                        e.kind().keyName() + " " + e.key() + " overlaps "
                                + o.kind().keyName() + " " + o.key() + ", which another identity registered");
            }
        }
    }

    private static void checkMayTake(Connection newcomer, CatalogEntry e, CatalogEntry held, boolean replace) {
        if (!newcomer.subject().equals(held.subject()) && !Scopes.allows(newcomer.scopes(), "admin")) {
            throw HubException.of(
                    ErrorCode.FORBIDDEN,
                    "not_yours",
                    e.kind().keyName() + " " + e.key() + " was registered by another identity; only that identity"
                            + " or the hub's owner may replace it");
        }
        if (!replace) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "already_provided",
                    e.kind().keyName() + " " + e.key() + " is already provided by " + held.provider()
                            + " in this session; register with \"replace\": true to take it over");
        }
    }

    /** Removes the entries of {@code kind} with these keys that {@code provider} provides; returns how many. */
    synchronized int unregister(Connection provider, Kind kind, Collection<String> keys) {
        int n = 0;
        for (String key : keys) {
            CatalogEntry held = entries.get(kind).get(key);
            if (held != null && held.provider() == provider) {
                entries.get(kind).remove(key);
                n++;
            }
        }
        return n;
    }

    /** Removes what {@code provider} provides and its subscriptions (it left the session); how many entries. */
    synchronized int removeProvider(Connection provider) {
        int n = 0;
        for (TreeMap<String, CatalogEntry> table : entries.values()) {
            int before = table.size();
            table.values().removeIf(e -> e.provider() == provider);
            n += before - table.size();
        }
        unsubscribeAll(provider);
        return n;
    }

    synchronized void clear() {
        entries.values().forEach(TreeMap::clear);
        subscribers.clear();
    }

    synchronized List<CatalogEntry> list(Kind kind) {
        return List.copyOf(entries.get(kind).values());
    }

    synchronized Optional<CatalogEntry> find(Kind kind, String key) {
        return Optional.ofNullable(entries.get(kind).get(key));
    }

    /** The resource with this URI, else the first template (by its text) that matches it. */
    synchronized Optional<CatalogEntry> resolve(String uri) {
        CatalogEntry exact = entries.get(Kind.RESOURCE).get(uri);
        if (exact != null) {
            return Optional.of(exact);
        }
        return entries.get(Kind.TEMPLATE).values().stream()
                .filter(t -> t.template().orElseThrow().matches(uri))
                .findFirst();
    }

    /** Whether the provider of {@code uri} (its resource or a template that matches it) is {@code provider}. */
    synchronized boolean provides(Connection provider, String uri) {
        return resolve(uri).map(e -> e.provider() == provider).orElse(false);
    }

    /** Subscribes {@code c} to {@code uri}; false if it already holds {@code limit} subscriptions here. */
    synchronized boolean subscribe(Connection c, String uri, int limit) {
        long held = subscribers.values().stream().filter(s -> s.contains(c)).count();
        Set<Connection> to = subscribers.get(uri);
        if (to != null && to.contains(c)) {
            return true;
        }
        if (held >= limit) {
            return false;
        }
        subscribers.computeIfAbsent(uri, u -> new HashSet<>()).add(c);
        return true;
    }

    synchronized void unsubscribe(Connection c, String uri) {
        Set<Connection> to = subscribers.get(uri);
        if (to != null && to.remove(c) && to.isEmpty()) {
            subscribers.remove(uri);
        }
    }

    synchronized void unsubscribeAll(Connection c) {
        subscribers.values().removeIf(s -> s.remove(c) && s.isEmpty());
    }

    synchronized List<Connection> subscribers(String uri) {
        return List.copyOf(subscribers.getOrDefault(uri, Set.of()));
    }

    synchronized int size(Kind kind) {
        return entries.get(kind).size();
    }
}
