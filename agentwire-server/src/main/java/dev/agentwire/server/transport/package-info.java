/**
 * The hub's Netty transports: the Unix socket (path or Linux abstract name) and the loopback TCP port, each
 * sniffing its framing from the first byte, and the adapters that carry messages between a channel and a core
 * {@link dev.agentwire.core.Connection}.
 *
 * <p>Threading: handlers run on their channel's event loop and never block; they decode, hand off to the core,
 * and write what the core sends back (from any thread) through {@link dev.agentwire.server.transport.ChannelOutbound}.
 */
package dev.agentwire.server.transport;
