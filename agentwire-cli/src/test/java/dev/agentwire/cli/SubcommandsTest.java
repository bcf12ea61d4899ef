package dev.agentwire.cli;

import static dev.agentwire.cli.AwRunner.aw;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The table of {@code aw}'s commands: every name is its class's own, and help lists them all. */
class SubcommandsTest {

    @Test
    void everyNameIsItsClassesCommandName() {
        for (String name : Subcommands.NAMES) {
            Class<?> c = Subcommands.commandClass(name).orElseThrow();
            assertThat(c.getAnnotation(CommandLine.Command.class).name())
                    .as("@Command name of " + c.getName())
                    .isEqualTo(name);
        }
        assertThat(Subcommands.commandClass("frobnicate")).isEmpty();
    }

    @Test
    void helpListsEveryCommandAndOneCommandStillRuns() {
        String help = aw("--help").out();
        for (String name : Subcommands.NAMES) {
            assertThat(help).as("aw --help lists " + name).containsPattern("(?m)^  " + name + " ");
        }
        assertThat(aw("help", "status").out()).contains("Usage: aw status");
        AwRunner.Result unknown = aw("statu");
        assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("Did you mean: aw status");
        assertThat(aw("errno", "ECONNREFUSED").code()).isZero();
    }
}
