/**
 * Terminals (VibeTunnel seed): PTY sessions that agents and people drive. A session owns its process (through
 * a {@link dev.agentwire.core.terminals.PtyLauncher} the transport side provides), a bounded scrollback, a VT
 * emulator whose screen {@code terminals/read} returns, its viewers and its waiters, and its files under
 * {@code AGENTWIRE_HOME/control/<id>/}.
 */
package dev.agentwire.core.terminals;
