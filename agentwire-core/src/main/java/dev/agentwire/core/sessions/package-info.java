/**
 * BTCP sessions: named groups of connections with their own tools, a TTL and an idle timeout. A connection is
 * in exactly one session at a time; the {@code default} session always exists and never expires.
 */
package dev.agentwire.core.sessions;
