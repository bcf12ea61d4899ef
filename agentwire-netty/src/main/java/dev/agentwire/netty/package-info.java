/**
 * Netty adapters shared by the hub and the Java client: the platform transport (epoll on Linux, kqueue on
 * macOS, NIO elsewhere), the decoder that wraps a pure {@link dev.agentwire.protocol.StreamDecoder}, and the
 * batch of messages that leaves in one write ({@link OutboundBatch}).
 *
 * <p>Handlers here are not {@code @Sharable}: make one per channel.
 */
package dev.agentwire.netty;
