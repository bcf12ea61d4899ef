package dev.agentwire.cli;

import dev.agentwire.server.Version;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code aw} command. Its subcommands are added by {@link Subcommands}, only those a command line needs. */
@Command(
        name = "aw",
        mixinStandardHelpOptions = true,
        versionProvider = Aw.VersionProvider.class,
        description = "agentwire: a local socket hub for AI agents.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:error (the message says why)",
            "2:bad command line",
            "3:no hub is running at the endpoint",
            "4:the hub refused the connection, or another user serves its socket",
            "5:the hub did not answer in time"
        })
public final class Aw implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // pty4j says where it unpacked its native library at info level; that is not the user's business.
        System.setProperty("org.slf4j.simpleLogger.log.com.pty4j", "warn");
        if ("true".equalsIgnoreCase(System.getenv("SOCKET_DEBUG"))) {
            // The socket skill's switch: accepts, connects, closes, options and errors with their errno.
            System.setProperty("org.slf4j.simpleLogger.log." + dev.agentwire.netty.SocketDebugLog.LOGGER, "debug");
        }
        if (args.length == 0 || !args[0].equals("hub")) {
            // Netty's buffer events start JFR's event machinery: a third of a client command's start, for
            // events nobody records from a command line. The hub keeps them.
            System.setProperty("io.netty.jfr.enabled", System.getProperty("io.netty.jfr.enabled", "false"));
        }
        System.exit(run(args));
    }

    /** Runs {@code aw} with {@code args}; returns the exit code. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs {@code aw} writing to the given streams (for tests); returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(Failures::exitCode);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println(line.getCommandSpec().qualifiedName(" ") + ": " + Failures.describe(e));
            return Failures.exitCode(e);
        });
        return cl.execute(args);
    }

    /** {@code aw} with the subcommands {@code args} can need: all of them when {@code args} is empty. */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Aw());
        Subcommands.addTo(cl, args.length == 0 ? Optional.empty() : Optional.of(args[0]));
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Prints the version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"aw " + Version.current() + " (java " + System.getProperty("java.version") + ")"};
        }
    }
}
