/** Property-based fuzzing of the Netty adapters (jqwik, on {@code EmbeddedChannel}). */
package dev.agentwire.netty.fuzz;
