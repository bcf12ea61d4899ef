package dev.agentwire.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentwire.core.rpc.Access;
import dev.agentwire.core.rpc.Method;
import dev.agentwire.protocol.Json;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What runs when a connection closes: every feature's hook, off the transport's thread, after its queued calls. */
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

            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 2);
            assertThat(ran).containsExactly("first", "second");
        }
    }

    /**
     * A close hook may wait (a cluster's directory asks Redis): it must not run on the thread that reports the close,
     * the transport's I/O thread, and it must come after the calls the connection had queued, so that a
     * registration queued before the close is undone rather than left behind.
     */
    @Test
    void closeHooksRunOffTheClosingThreadAfterTheConnectionsQueuedCalls() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch slowStarted = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (HubCore core = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
                .feature(hub -> hub.onClosed(
                        c -> ran.add("closed on " + Thread.currentThread().getName())))
                .build()) {
            core.registry().register(Method.of("test/slow", Access.authenticated(), call -> {
                slowStarted.countDown();
                release.join();
                ran.add("slow call done");
                return CompletableFuture.completedFuture(Json.mapper().nullNode());
            }));
            TestPeer peer = TestPeer.unix(core, 1001);
            peer.send("test/slow", "{}");
            assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

            peer.connection().closed(); // returns at once: the hook waits behind the slow call
            assertThat(ran).isEmpty();
            release.complete(null);

            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 2);
            assertThat(ran.get(0)).isEqualTo("slow call done");
            assertThat(ran.get(1)).doesNotContain(Thread.currentThread().getName());
        }
    }
}
