/**
 * Relayed calls: a caller's request that the hub passes to a provider under its own id, and whose answer,
 * progress, timeout and cancellation it maps back. {@link dev.agentwire.core.relay.RelayedCalls} keeps the calls
 * in flight; {@link dev.agentwire.core.relay.ProviderLink} is the one step that reaches the provider (a
 * connection on this hub today, another hub later). {@link dev.agentwire.core.relay.Directory} says who provides
 * what, and on which hub ({@link dev.agentwire.core.relay.LocalDirectory} for a hub alone).
 *
 * <p>Features (tools, services) build on this package; it knows none of them.
 */
package dev.agentwire.core.relay;
