/** The audit trail's file: {@link dev.agentwire.server.audit.FileAuditLog} writes {@code AGENTWIRE_HOME/audit.log}. */
package dev.agentwire.server.audit;
