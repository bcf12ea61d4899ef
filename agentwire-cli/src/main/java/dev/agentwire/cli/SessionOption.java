package dev.agentwire.cli;

import picocli.CommandLine.Option;

/** {@code --session ID} for commands that work in one session. */
final class SessionOption {

    @Option(
            names = {"-s", "--session"},
            paramLabel = "ID",
            description = "the session (default: the default session)")
    String session;
}
