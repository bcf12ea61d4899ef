/**
 * Who may do what: scoped tokens (JWT, HS256 with the hub's secret) for TCP and WebSocket peers, the scope
 * check, and token revocation. Unix-socket peers admitted by the peer policy hold every scope.
 */
package dev.agentwire.core.auth;
