/** The hub's side of terminals: processes on real pseudo-terminals through pty4j. */
package dev.agentwire.server.terminals;
