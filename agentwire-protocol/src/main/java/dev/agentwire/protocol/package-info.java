/**
 * The agentwire wire protocol: the JSON-RPC 2.0 message model, the hub's error codes, and the three stream
 * framings (NDJSON, length-prefixed JSON, typed frames).
 *
 * <p>Everything here is pure: bytes in, values out. Nothing touches a socket, a thread or a session, so the
 * hub, the client and any test can use the same codecs. Decoders are stateful per connection and not thread
 * safe; the value types are immutable.
 */
package dev.agentwire.protocol;
