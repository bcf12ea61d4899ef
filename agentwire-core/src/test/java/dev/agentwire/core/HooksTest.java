package dev.agentwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A feature's hook that throws does not keep the others from running: a close must not stop halfway. */
class HooksTest {

    @Test
    void aFailingCloseHookDoesNotSkipTheOthers() {
        List<String> ran = new CopyOnWriteArrayList<>();
        try (HubCore core = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
                .feature(hub -> hub.onClosed(c -> {
                    ran.add("first");
                    throw new IllegalStateException("Redis is away");
                }))
                .feature(hub -> hub.onClosed(c -> ran.add("second")))
                .build()) {
            TestPeer peer = TestPeer.unix(core, 1001);

            peer.connection().closed();

            assertThat(ran).containsExactly("first", "second");
        }
    }
}
