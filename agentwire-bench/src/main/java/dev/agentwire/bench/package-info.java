/**
 * Benchmarks. {@link dev.agentwire.bench.BenchCommand} ({@code aw bench}) runs every subject beside the floor or
 * baseline it is compared with (C over Unix sockets, a C relay, Redis, nats-server, a bare PTY, a JVM printing
 * hi), in interleaved rounds, and reports each figure as the median of its per-round ratios with their min–max.
 * {@code docs/BENCHMARKS.md} records the figures.
 */
package dev.agentwire.bench;
