package dev.agentwire.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.core.Peer;
import dev.agentwire.core.Transport;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code security.allowProcesses} matches an executable's real path, never its file name. */
class PeerPolicyTest {

    private static Peer running(String exe) {
        return new Peer(
                Transport.UNIX, "/tmp/s", OptionalInt.of(1000), List.of(), OptionalLong.of(42), Optional.of(exe));
    }

    private static PeerPolicy allowing(String... paths) {
        return new PeerPolicy(OptionalInt.of(1000), Set.of(), Set.of(), Set.of(paths));
    }

    @Test
    void aProgramOfTheSameNameElsewhereIsRefused() {
        PeerPolicy policy = allowing("/usr/bin/python3.11");
        assertThat(policy.refusal(running("/usr/bin/python3.11"))).isEmpty();
        assertThat(policy.refusal(running("/tmp/x/python3.11")))
                .get()
                .asString()
                .contains("process /tmp/x/python3.11 is not in security.allowProcesses")
                .contains("[/usr/bin/python3.11]");
    }

    @Test
    void aReplacedExecutableIsRefused() {
        assertThat(allowing("/usr/bin/python3.11").refusal(running("/usr/bin/python3.11 (deleted)")))
                .as("/proc/PID/exe of a program whose file was replaced after it started")
                .isPresent();
    }

    @Test
    void aBareNameIsNotAPolicy() {
        assertThatThrownBy(() -> allowing("python3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute paths, not 'python3'");
    }
}
