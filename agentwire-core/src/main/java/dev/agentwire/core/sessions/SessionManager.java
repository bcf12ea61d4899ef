package dev.agentwire.core.sessions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.AttributeKey;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.auth.Scopes;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.core.relay.Directory;
import dev.agentwire.core.relay.LocalDirectory;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * All sessions, and which connection is in which. A session is an entry of the sessions' {@link Directory} named by
 * its id, owned by the hub that created it ({@link Directory#self()}), with its {@link Session.Info}; the
 * {@link Session} objects (members here, activity, the features' values) are this hub's own, made when it first
 * sees a session. The default session is every hub's own and not in the directory. Session ids are 128 random
 * bits in hex. A hub expires the sessions it created (TTL, idle timeout) in {@link #expireDue()}, which the hub
 * calls every second and tests call after moving the ticker; a session another hub ends ends here when the
 * directory tells. The sessions this hub creates are kept in a {@link SessionStore} until they end, and
 * {@link #restore()} brings them back when the hub starts again. Thread safe; membership changes are serialized on
 * this object.
 */
public final class SessionManager {

    /**
     * Set (true) on a connection that sees what every session it may enter offers (tools, prompts, resources)
     * instead of its own session's: MCP over HTTP without {@code ?session=}.
     */
    public static final dev.agentwire.core.AttributeKey<Boolean> ALL_SESSIONS =
            new dev.agentwire.core.AttributeKey<>("sessions.all");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Ticker ticker;
    private final EventBus events;
    private final Duration defaultTtl;
    private final Duration idleTimeout;
    private final int maxSessionsPerIdentity;
    private final Directory<Session.Info> directory;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Session defaultSession;
    private final java.util.List<BiConsumer<Session, Connection>> onLeave =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<BiConsumer<Session, ObjectNode>> describers =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<BiConsumer<Session, String>> onEnd = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<Watcher> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final SessionStore store;

    /**
     * Told when a session is created and when one ends, on the thread that made the change: it must be quick and
     * must not block (the embedder's events hand it to their own thread).
     */
    public interface Watcher {
        /** {@code s} was created (not when {@link #restore} brings it back). */
        void created(Session s);

        /**
         * {@code s} ended.
         *
         * @param action {@code expired} (its TTL or idle time ran out, maybe while the hub was down) or
         *     {@code closed}
         * @param reason {@code ttl}, {@code idle}, {@code closed}, or why another hub ended it
         */
        void ended(Session s, String action, String reason);
    }

    /** The sessions of one hub ({@link LocalDirectory}). */
    public SessionManager(
            Ticker ticker, EventBus events, Duration defaultTtl, Duration idleTimeout, int maxSessionsPerIdentity) {
        this(ticker, events, defaultTtl, idleTimeout, maxSessionsPerIdentity, new LocalDirectory<>());
    }

    /** @param directory where the sessions are kept (shared with other hubs, or not) */
    public SessionManager(
            Ticker ticker,
            EventBus events,
            Duration defaultTtl,
            Duration idleTimeout,
            int maxSessionsPerIdentity,
            Directory<Session.Info> directory) {
        this(ticker, events, defaultTtl, idleTimeout, maxSessionsPerIdentity, directory, SessionStore.NONE);
    }

    /** @param store where the sessions this hub creates are kept until they end ({@link #restore}) */
    public SessionManager(
            Ticker ticker,
            EventBus events,
            Duration defaultTtl,
            Duration idleTimeout,
            int maxSessionsPerIdentity,
            Directory<Session.Info> directory,
            SessionStore store) {
        this.store = store;
        this.directory = directory;
        this.ticker = ticker;
        this.events = events;
        this.defaultTtl = defaultTtl;
        this.idleTimeout = idleTimeout;
        this.maxSessionsPerIdentity = maxSessionsPerIdentity;
        this.defaultSession = new Session(Session.DEFAULT_ID, "default", "", ticker.nanoTime(), 0, 0);
        sessions.put(defaultSession.id(), defaultSession);
        directory.listen(this::changed);
    }

    /** Another hub ended one of its sessions: it ends here too, for this hub's members of it. */
    private void changed(Directory.Change change, Directory.Entry<Session.Info> entry) {
        if (change == Directory.Change.UNREGISTERED && !entry.owner().hub().equals(directory.hub())) {
            Session s = sessions.get(entry.name());
            if (s != null) {
                endHere(s, "closed", "ended on hub " + entry.owner().hub());
            }
        }
    }

    /** Tells {@code listener} when a connection leaves a session (so that its tools there go). */
    public void onLeave(BiConsumer<Session, Connection> listener) {
        onLeave.add(listener);
    }

    /** Adds fields to each session as {@code sessions/list} shows it. */
    public void describeWith(BiConsumer<Session, ObjectNode> describer) {
        describers.add(describer);
    }

    /** A session as {@code sessions/list} shows it, with the features' fields. */
    public ObjectNode describe(Session s, long nowNanos) {
        ObjectNode j = s.describe(nowNanos);
        describers.forEach(d -> d.accept(s, j));
        return j;
    }

    /** Tells {@code listener} when a session ends, with the reason (so that its pending calls fail). */
    public void onEnd(BiConsumer<Session, String> listener) {
        onEnd.add(listener);
    }

    /** Tells {@code watcher} of every session created or ended from now on. */
    public void watch(Watcher watcher) {
        watchers.add(watcher);
    }

    /** The session each connection is in. */
    private static final AttributeKey<Session> SESSION = new AttributeKey<>("session");

    /** The session {@code c} is in (the default one from the moment it opened). */
    public static Session sessionOf(Connection c) {
        return c.get(SESSION);
    }

    public Session defaultSession() {
        return defaultSession;
    }

    /**
     * Creates a session owned by {@code owner} (an identity: {@link Connection#subject()}); {@code ttl} empty
     * means the configured default.
     *
     * @throws HubException {@code -32008} when {@code owner} already has {@code limits.maxSessionsPerIdentity}
     */
    public Session create(String owner, String name, Optional<Duration> ttl) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        String id = HexFormat.of().formatHex(bytes);
        Duration life = ttl.orElse(defaultTtl);
        Session s = new Session(
                id,
                name == null || name.isBlank() ? id.substring(0, 8) : name,
                owner,
                ticker.nanoTime(),
                life.toNanos(),
                idleTimeout.toNanos());
        // Nobody knows the id before this returns, so the Session object may go in first; the count and the entry
        // are one step of the directory, on every hub.
        sessions.put(id, s);
        try {
            directory.update("", all -> {
                long held = all.stream()
                        .filter(e -> e.value().owner().equals(owner))
                        .count();
                if (held >= maxSessionsPerIdentity) {
                    var data = HubException.reasonData("too_many_sessions");
                    data.put("limit", maxSessionsPerIdentity);
                    throw HubException.withData(
                            ErrorCode.OVERLOADED,
                            owner + " already has " + held + " sessions, the most one identity may hold"
                                    + " (limits.maxSessionsPerIdentity = " + maxSessionsPerIdentity
                                    + "); close one first",
                            data);
                }
                return new Directory.Changes<>(
                        List.of(new Directory.Entry<>(id, directory.self(), s.info())), List.of());
            });
        } catch (RuntimeException e) {
            sessions.remove(id);
            throw e;
        }
        try {
            store.save(new SessionStore.Stored(id, s.info()));
        } catch (RuntimeException e) {
            // The session works; it only will not outlive this hub.
            log().warn("storing session {} failed; it ends with this hub: {}", id, e.toString());
        }
        events.publish("session", "created", describe(s), List.of());
        watchers.forEach(w -> tell(() -> w.created(s)));
        return s;
    }

    /** The session with this id, or {@code -32007}. */
    public Session get(String id) {
        return find(id).orElseThrow(
                        () -> HubException.of(ErrorCode.NOT_FOUND, "session_not_found", "no session " + id));
    }

    private Optional<Session> find(String id) {
        if (Session.DEFAULT_ID.equals(id)) {
            return Optional.of(defaultSession);
        }
        List<Directory.Entry<Session.Info>> entries = id == null ? List.of() : directory.lookup(id);
        if (entries.isEmpty()) {
            return Optional.empty();
        }
        Session.Info info = entries.get(0).value();
        return Optional.of(sessions.computeIfAbsent(id, k -> new Session(k, info, ticker.nanoTime())));
    }

    /** The default session, then every session in the directory, by id. */
    public Collection<Session> all() {
        List<Session> all = new ArrayList<>();
        all.add(defaultSession);
        for (String id : directory.names()) {
            find(id).ifPresent(all::add);
        }
        return all;
    }

    /** Puts a new connection in the default session. */
    public synchronized void enter(Connection c) {
        defaultSession.add(c);
        c.set(SESSION, defaultSession);
    }

    /**
     * Whether {@code c} may see and join {@code s}: the default session, its own, one it was given (a token with
     * the scope {@code sessions:<id>}), or any with {@code admin} (the owner).
     */
    public static boolean mayEnter(Connection c, Session s) {
        return s.isDefault()
                || s.owner().equals(c.subject())
                || Scopes.allows(c.scopes(), "admin")
                || Scopes.allows(c.scopes(), "sessions:" + s.id());
    }

    /** The session {@code id} if {@code c} may enter it; {@code -32007} or {@code -32005} otherwise. */
    public Session getFor(Connection c, String id) {
        Session s = get(id);
        if (!mayEnter(c, s)) {
            var data = HubException.reasonData("not_your_session");
            data.put("sessionId", id);
            throw HubException.withData(
                    ErrorCode.FORBIDDEN,
                    "session " + id + " belongs to another identity; ask its owner for a token with the scope"
                            + " sessions:" + id,
                    data);
        }
        return s;
    }

    /**
     * Moves {@code c} to session {@code id}: leaves its current one (its tools there go), joins the new one.
     *
     * @throws HubException {@code -32005} when the session is another identity's ({@link #mayEnter})
     */
    public synchronized Session join(Connection c, String id) {
        Session target = getFor(c, id);
        Session current = c.get(SESSION);
        if (current == target) {
            return target;
        }
        leave(c, current);
        target.add(c);
        c.set(SESSION, target);
        target.touch(ticker.nanoTime());
        events.publish("session", "joined", describe(target, c), target.members());
        return target;
    }

    /** Takes a closed connection out of its session. */
    public synchronized void remove(Connection c) {
        Session current = c.get(SESSION);
        if (current != null) {
            leave(c, current);
        }
    }

    /** Closes a session: its members go back to the default session, its tools and pending calls end. */
    public void close(String id, String reason) {
        Session s = get(id);
        if (s.isDefault()) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "default_session", "the default session cannot be closed");
        }
        end(s, "expired".equals(reason) ? "expired" : "closed", reason);
    }

    /** Closes every session this hub created whose TTL or idle time ran out. Returns how many. */
    public int expireDue() {
        long now = ticker.nanoTime();
        int n = 0;
        for (Session s : all()) {
            if (!createdHere(s)) {
                continue;
            }
            String why = s.expiry(now);
            if (!why.isEmpty()) {
                try {
                    end(s, "expired", why);
                    n++;
                } catch (RuntimeException e) {
                    // A shared directory that failed (Redis away): the next run tries again; the others still go.
                    org.slf4j.LoggerFactory.getLogger(SessionManager.class)
                            .warn("ending expired session {} failed: {}", s.id(), e.toString());
                }
            }
        }
        return n;
    }

    private boolean createdHere(Session s) {
        return directory.lookup(s.id()).stream().anyMatch(e -> e.owner().equals(directory.self()));
    }

    /** Ends {@code s} everywhere: its entry goes (other hubs hear of it), then it ends here. */
    private void end(Session s, String action, String reason) {
        String id = s.id();
        boolean removed = !directory
                .update(
                        id,
                        current -> new Directory.Changes<>(
                                List.of(),
                                current.stream()
                                        .filter(e -> e.name().equals(id))
                                        .toList()))
                .unregister()
                .isEmpty();
        if (removed) {
            forget(id);
            endHere(s, action, reason);
        }
    }

    private void forget(String id) {
        try {
            store.delete(id);
        } catch (RuntimeException e) {
            log().warn("removing session {} from the store failed: {}", id, e.toString());
        }
    }

    /** Ends {@code s} on this hub: its members here go back to the default session, the features hear of it. */
    private void endHere(Session s, String action, String reason) {
        List<Connection> members;
        synchronized (this) {
            if (sessions.remove(s.id()) == null) {
                return;
            }
            members = new ArrayList<>(s.members());
            for (Connection c : members) {
                s.remove(c);
                onLeave.forEach(l -> l.accept(s, c));
                defaultSession.add(c);
                c.set(SESSION, defaultSession);
            }
        }
        onEnd.forEach(l -> l.accept(s, reason));
        ObjectNode data = describe(s);
        data.put("reason", reason);
        events.publish("session", action, data, members);
        watchers.forEach(w -> tell(() -> w.ended(s, action, reason)));
    }

    /** Runs a watcher: one that throws is logged, and the change it watched stands. */
    private static void tell(Runnable watcher) {
        try {
            watcher.run();
        } catch (RuntimeException e) {
            log().warn("a session watcher failed", e);
        }
    }

    private static org.slf4j.Logger log() {
        return org.slf4j.LoggerFactory.getLogger(SessionManager.class);
    }

    /**
     * Brings back the sessions an earlier run of this hub created and that had not ended (the hub calls it once at
     * start, before it takes connections): each is in the directory again under its id, with its owner, name,
     * creation time and limits, so that its owner (or a holder of {@code sessions:<id>}) joins it as before. One
     * whose TTL ran out meanwhile ends now ({@code expired}, reason {@code ttl}); its idle time counts from now.
     * A stored session that makes no sense (a bad id, no owner, a negative time) is skipped with a warning.
     *
     * @return how many came back
     */
    public int restore() {
        long nowMillis = System.currentTimeMillis();
        int restored = 0;
        for (SessionStore.Stored row : store.load()) {
            Optional<String> wrong = wrong(row);
            if (wrong.isPresent()) {
                log().warn("stored session {} skipped: {}", row.id(), wrong.get());
                continue;
            }
            Session.Info info = row.info();
            if (sessions.containsKey(row.id()) || !directory.lookup(row.id()).isEmpty()) {
                continue;
            }
            Session s = new Session(row.id(), info, ticker.nanoTime());
            if (info.ttlMillis() > 0 && info.createdAtMillis() + info.ttlMillis() <= nowMillis) {
                forget(row.id());
                ObjectNode data = describe(s);
                data.put("reason", "ttl");
                events.publish("session", "expired", data, List.of());
                watchers.forEach(w -> tell(() -> w.ended(s, "expired", "ttl")));
                continue;
            }
            s.touch(ticker.nanoTime());
            sessions.put(row.id(), s);
            directory.register(new Directory.Entry<>(row.id(), directory.self(), info));
            restored++;
        }
        return restored;
    }

    /** What is wrong with a stored session, if anything. */
    private static Optional<String> wrong(SessionStore.Stored row) {
        Session.Info info = row.info();
        if (row.id() == null || !row.id().matches("[0-9a-f]{32}")) {
            return Optional.of("its id is not 32 hex digits");
        }
        if (info.owner() == null || info.owner().isEmpty()) {
            return Optional.of("it has no owner");
        }
        if (info.name() == null
                || info.name().length() > dev.agentwire.core.TrustLimits.MAX_SESSION_NAME
                || info.name().chars().anyMatch(Character::isISOControl)) {
            return Optional.of("its name is missing, too long or holds control characters");
        }
        if (info.createdAtMillis() <= 0 || info.ttlMillis() < 0 || info.idleMillis() < 0) {
            return Optional.of("createdAt " + info.createdAtMillis() + ", ttl " + info.ttlMillis() + " ms, idle "
                    + info.idleMillis() + " ms: a time is negative");
        }
        return Optional.empty();
    }

    private void leave(Connection c, Session s) {
        s.remove(c);
        onLeave.forEach(l -> l.accept(s, c));
        if (!s.isDefault()) {
            events.publish("session", "left", describe(s, c), s.members());
        }
    }

    private static ObjectNode describe(Session s) {
        ObjectNode d = Json.mapper().createObjectNode();
        d.put("sessionId", s.id());
        d.put("name", s.name());
        return d;
    }

    private static ObjectNode describe(Session s, Connection c) {
        ObjectNode d = describe(s);
        d.put("connectionId", c.id());
        d.put("peer", c.name());
        return d;
    }
}
