/**
 * {@code aw}, the agentwire command line (picocli): {@code aw hub} runs the hub, {@code aw status} and
 * {@code aw ping} talk to it. Exit codes are in {@link dev.agentwire.cli.ExitCodes}.
 */
package dev.agentwire.cli;
