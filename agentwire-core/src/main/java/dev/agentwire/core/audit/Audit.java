package dev.agentwire.core.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.events.EventBus;
import dev.agentwire.protocol.Json;

/**
 * Security events, told twice: written to the {@link AuditLog} and published as {@code events/event} in the
 * {@code auth} category (control.sock's {@code auth} events; subscribers need {@code events:auth}). Thread safe;
 * never blocks.
 */
public final class Audit {

    private volatile AuditLog log = AuditLog.NONE;
    private final EventBus events;

    public Audit(EventBus events) {
        this.events = events;
    }

    /** Where records go from now on (the server sets the file log before its transports start). */
    public void useLog(AuditLog log) {
        this.log = log;
    }

    /** Records {@code event} and publishes it as {@code auth/<event>}. */
    public void record(String event, ObjectNode fields) {
        log.record(event, fields);
        events.publish("auth", event, fields);
    }

    /** Records {@code event} only (terminal actions: they are told in their own categories). */
    public void recordOnly(String event, ObjectNode fields) {
        log.record(event, fields);
    }

    /** The fields that say who: {@code subject}, {@code transport}, {@code peer}, {@code connectionId}. */
    public static ObjectNode who(Connection c) {
        ObjectNode f = Json.mapper().createObjectNode();
        f.put("subject", c.subject());
        f.put("transport", c.peer().transport().label());
        f.put("peer", c.peer().describe());
        f.put("connectionId", c.id());
        return f;
    }
}
