/**
 * Patterns that come from clients, compiled so that no pattern can make the hub backtrack, allocate without
 * bound or run past a deadline ({@link dev.agentwire.core.patterns.ClientPatterns}).
 */
package dev.agentwire.core.patterns;
