package dev.agentwire.core.sessions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.AttributeKey;
import dev.agentwire.core.Connection;
import dev.agentwire.protocol.Json;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One session: its members, and what features keep for it (the tools registered in it). Thread safe. Expiry is decided by {@link SessionManager}.
 */
public final class Session {

    /** The id of the session every connection starts in. */
    public static final String DEFAULT_ID = "default";

    private final String id;
    private final String name;
    private final String owner;
    private final long createdAtMillis;
    private final long createdAtNanos;
    private final long ttlNanos;
    private final long idleNanos;
    private final Set<Connection> members = ConcurrentHashMap.newKeySet();
    private final java.util.Map<AttributeKey<?>, Object> attributes = new ConcurrentHashMap<>();
    private volatile long lastActivityNanos;

    /**
     * What every hub knows of a session, kept in the sessions' directory under its id (its members, activity and
     * the features' values are each hub's own).
     *
     * @param owner the identity that created it
     * @param ttlMillis its lifetime; 0 for ever
     * @param idleMillis how long it may go without calls; 0 for ever
     */
    public record Info(String name, String owner, long createdAtMillis, long ttlMillis, long idleMillis) {}

    Session(String id, String name, String owner, long nowNanos, long ttlNanos, long idleNanos) {
        this(id, name, owner, System.currentTimeMillis(), nowNanos, ttlNanos, idleNanos);
    }

    /** A session another hub created, as this hub first sees it at {@code nowNanos}. */
    Session(String id, Info info, long nowNanos) {
        this(
                id,
                info.name(),
                info.owner(),
                info.createdAtMillis(),
                nowNanos
                        - TimeUnit.MILLISECONDS.toNanos(
                                Math.max(0, System.currentTimeMillis() - info.createdAtMillis())),
                TimeUnit.MILLISECONDS.toNanos(info.ttlMillis()),
                TimeUnit.MILLISECONDS.toNanos(info.idleMillis()));
    }

    private Session(
            String id,
            String name,
            String owner,
            long createdAtMillis,
            long createdAtNanos,
            long ttlNanos,
            long idleNanos) {
        this.id = id;
        this.name = name;
        this.owner = owner;
        this.createdAtMillis = createdAtMillis;
        this.createdAtNanos = createdAtNanos;
        this.ttlNanos = ttlNanos;
        this.idleNanos = idleNanos;
        this.lastActivityNanos = createdAtNanos;
    }

    public String id() {
        return id;
    }

    /** What the directory keeps of it. */
    public Info info() {
        return new Info(
                name,
                owner,
                createdAtMillis,
                TimeUnit.NANOSECONDS.toMillis(ttlNanos),
                TimeUnit.NANOSECONDS.toMillis(idleNanos));
    }

    public String name() {
        return name;
    }

    /** The identity that created it ({@code ""} for the default session, which is everyone's). */
    public String owner() {
        return owner;
    }

    public boolean isDefault() {
        return DEFAULT_ID.equals(id);
    }

    /** The value a feature keeps for this session under {@code key}, made by {@code initial} the first time. */
    @SuppressWarnings("unchecked")
    public <T> T attribute(AttributeKey<T> key, java.util.function.Supplier<T> initial) {
        return (T) attributes.computeIfAbsent(key, k -> initial.get());
    }

    public Set<Connection> members() {
        return Set.copyOf(members);
    }

    /** Notes activity: a call made in this session (for the idle timeout). */
    public void touch(long nowNanos) {
        lastActivityNanos = nowNanos;
    }

    /** Why the session is over at {@code now}: "ttl", "idle", or empty. Never for the default session. */
    String expiry(long nowNanos) {
        if (isDefault()) {
            return "";
        }
        if (ttlNanos > 0 && nowNanos - createdAtNanos >= ttlNanos) {
            return "ttl";
        }
        if (idleNanos > 0 && nowNanos - lastActivityNanos >= idleNanos) {
            return "idle";
        }
        return "";
    }

    void add(Connection c) {
        members.add(c);
    }

    void remove(Connection c) {
        members.remove(c);
    }

    /** The JSON that {@code sessions/list} shows, without the features' fields ({@link SessionManager#describe}). */
    ObjectNode describe(long nowNanos) {
        ObjectNode j = Json.mapper().createObjectNode();
        j.put("sessionId", id);
        j.put("name", name);
        j.put("members", members.size());
        j.put("createdAt", createdAtMillis);
        if (!isDefault() && ttlNanos > 0) {
            j.put("expiresAt", createdAtMillis + TimeUnit.NANOSECONDS.toMillis(ttlNanos));
        }
        if (!isDefault() && idleNanos > 0) {
            j.put("idleMs", TimeUnit.NANOSECONDS.toMillis(nowNanos - lastActivityNanos));
        }
        return j;
    }
}
