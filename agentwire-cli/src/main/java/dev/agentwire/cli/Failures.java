package dev.agentwire.cli;

import dev.agentwire.client.ConnectionLostException;
import dev.agentwire.client.HubUnavailableException;
import dev.agentwire.client.RpcException;
import dev.agentwire.client.UntrustedHubException;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.server.HubStartException;
import dev.agentwire.server.config.ConfigException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps failures to one-line messages and exit codes. */
final class Failures {

    private Failures() {}

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static int exitCode(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof picocli.CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        if (t instanceof CommandFailure f) {
            return f.exitCode();
        }
        if (t instanceof HubUnavailableException || t instanceof ConnectionLostException) {
            return ExitCodes.NO_HUB;
        }
        if (t instanceof UntrustedHubException) {
            return ExitCodes.REFUSED;
        }
        if (t instanceof RpcException r) {
            if (r.code() == ErrorCode.FORBIDDEN.code()) {
                return ExitCodes.REFUSED;
            }
            if (r.code() == ErrorCode.TIMEOUT.code()) {
                return ExitCodes.TIMEOUT;
            }
        }
        return ExitCodes.ERROR;
    }

    static String describe(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof HubUnavailableException h) {
            String where = h.endpoint().isUnix()
                    ? h.endpoint().address()
                    : h.endpoint().toString();
            if (h.endpoint().kind() == dev.agentwire.client.Endpoint.Kind.ABSTRACT) {
                where = "@" + where;
            }
            return "no hub at " + where + " (start one with: aw hub)";
        }
        if (t instanceof ConfigException
                || t instanceof UntrustedHubException
                || t instanceof HubStartException
                || t instanceof RpcException
                || t instanceof CommandFailure
                || t instanceof ApiSocketCommands.ApiSocketException) {
            return t.getMessage();
        }
        return t.toString();
    }
}
