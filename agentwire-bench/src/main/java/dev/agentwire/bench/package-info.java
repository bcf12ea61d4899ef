/**
 * Benchmarks. {@link dev.agentwire.bench.RoundTripBench} measures, in one run and side by side, the C Unix-socket
 * ping-pong floor, a raw Java NIO ping-pong, and {@code hub/ping} through the real hub and client over UDS and
 * TCP, and reports each as a ratio to the floor. {@code docs/BENCHMARKS.md} records the figures.
 */
package dev.agentwire.bench;
