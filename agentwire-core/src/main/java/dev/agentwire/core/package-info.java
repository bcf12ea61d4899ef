/**
 * The hub's domain, free of any transport: connections as the core sees them, the peers behind them, and the
 * {@link dev.agentwire.core.HubCore} that dispatches their messages.
 *
 * <p>Transports (in {@code agentwire-server}) decode bytes into {@link dev.agentwire.protocol.Parsed} values,
 * hand them to {@link dev.agentwire.core.Connection#receive}, and implement {@link dev.agentwire.core.Outbound}
 * to carry replies back. Nothing here imports Netty.
 */
package dev.agentwire.core;
