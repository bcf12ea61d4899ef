/**
 * The call log: every {@code tools/call} and {@code services/request} written down once it ends (who, what, with
 * which arguments, redacted; how long; how big an answer; which error), kept by a {@link
 * dev.agentwire.core.calls.CallStore} the server backs with SQLite, listed by {@code calls/list} and told as
 * {@code calls/recorded} events. Recording never blocks a call: records go through a bounded queue to one writer
 * thread ({@link dev.agentwire.core.calls.CallWriter}).
 */
package dev.agentwire.core.calls;
