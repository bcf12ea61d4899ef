package dev.agentwire.core.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where the hub writes down who got in, who was turned away and what strangers did: refused connections and calls
 * with the reason, logins over TCP, WebSocket and the browser, tokens created and revoked, admin calls, and
 * terminal actions by anyone but the owner (DESIGN.md §4). The server keeps it in {@code AGENTWIRE_HOME/audit.log};
 * {@link #NONE} drops everything (tests, embedders without a home).
 *
 * <p>Implementations must never block the caller (it may be an event loop) and must be thread safe.
 */
@FunctionalInterface
public interface AuditLog {

    /** Drops every record. */
    AuditLog NONE = (event, fields) -> {};

    /**
     * Records {@code event} (a short snake_case name such as {@code connection_refused}, {@code login},
     * {@code token_revoked}) with its {@code fields}; the log adds the time.
     */
    void record(String event, ObjectNode fields);
}
