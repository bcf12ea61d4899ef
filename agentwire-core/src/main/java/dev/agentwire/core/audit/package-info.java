/**
 * The audit trail: who got in, who was refused and why, token changes, admin calls and terminal actions by
 * strangers ({@link dev.agentwire.core.audit.Audit}), written to an {@link dev.agentwire.core.audit.AuditLog}.
 */
package dev.agentwire.core.audit;
