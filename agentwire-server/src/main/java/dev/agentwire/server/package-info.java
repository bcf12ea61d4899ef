/**
 * The agentwire hub as a library: {@link dev.agentwire.server.AgentwireHub#builder()} takes the same options as
 * {@code agentwire.yaml}, {@code start()} returns once every listener is bound, and {@code close()} shuts down
 * as SIGTERM does. {@code aw hub} is a thin {@code main} over it.
 */
package dev.agentwire.server;
