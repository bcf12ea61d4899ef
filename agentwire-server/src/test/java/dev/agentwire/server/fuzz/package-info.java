/**
 * Fuzzing of a real hub (jqwik): mutated streams in every framing on its Unix socket, first bytes, HTTP request
 * heads and WebSocket frames on its TCP port, over real sockets, with the answers checked against {@code
 * docs/PROTOCOL.md}, the hub's log checked for escaped exceptions, and Netty's paranoid leak detector on.
 */
package dev.agentwire.server.fuzz;
