package dev.agentwire.cli;

/** {@code aw}'s exit codes, for scripts. */
public final class ExitCodes {

    /** It worked. */
    public static final int OK = 0;
    /** It failed; the message says why (a config error, a hub that cannot start, an error answer). */
    public static final int ERROR = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** No hub answers at the endpoint. */
    public static final int NO_HUB = 3;
    /** The hub refused us (token, peer policy), or we refused it (its socket is served by another user). */
    public static final int REFUSED = 4;
    /** The hub did not answer in time. */
    public static final int TIMEOUT = 5;

    private ExitCodes() {}
}
