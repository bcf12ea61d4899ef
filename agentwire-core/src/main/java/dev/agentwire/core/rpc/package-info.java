/**
 * JSON-RPC dispatch: the {@link dev.agentwire.core.rpc.MethodRegistry} that features register their methods
 * in, the {@link dev.agentwire.core.rpc.Interceptor} chain that every call passes through, and the
 * {@link dev.agentwire.core.rpc.Dispatcher} that runs calls off the I/O threads and sends their replies.
 */
package dev.agentwire.core.rpc;
