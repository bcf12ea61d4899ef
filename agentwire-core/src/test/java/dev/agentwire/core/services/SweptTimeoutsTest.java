package dev.agentwire.core.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentwire.core.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SweptTimeoutsTest {

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    /** A tick so long that only the test sweeps: the fake clock decides what is due. */
    private final SweptTimeouts timeouts = new SweptTimeouts(timers, now::get, Duration.ofHours(1));

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private void advanceMillis(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void aTimeoutRunsOnceItsDelayHasPassedNeverBefore() {
        List<String> ran = new ArrayList<>();
        timeouts.schedule(() -> ran.add("a"), 100);
        advanceMillis(99);
        timeouts.sweep();
        assertThat(ran).isEmpty();
        advanceMillis(1);
        timeouts.sweep();
        assertThat(ran).containsExactly("a");
        timeouts.sweep();
        assertThat(ran).as("a timeout runs once").containsExactly("a");
        assertThat(timeouts.armedCount()).isZero();
    }

    @Test
    void aCancelledTimeoutNeverRunsAndIsForgottenAtOnce() {
        List<String> ran = new ArrayList<>();
        Future<?> f = timeouts.schedule(() -> ran.add("a"), 100);
        assertThat(timeouts.armedCount()).isEqualTo(1);
        assertThat(f.cancel(false)).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(timeouts.armedCount())
                .as("taken out when cancelled, not when due")
                .isZero();
        advanceMillis(1000);
        timeouts.sweep();
        assertThat(ran).isEmpty();
    }

    @Test
    void cancellingATimeoutThatRanSaysSo() {
        List<String> ran = new ArrayList<>();
        Future<?> f = timeouts.schedule(() -> ran.add("a"), 10);
        advanceMillis(10);
        timeouts.sweep();
        assertThat(f.cancel(false)).isFalse();
        assertThat(f.isDone()).isTrue();
        assertThat(f.isCancelled()).isFalse();
        assertThat(ran).containsExactly("a");
    }

    @Test
    void theSweepIsScheduledOnlyWhileTimeoutsAreArmed() {
        assertThat(timeouts.sweeping()).isFalse();
        Future<?> f = timeouts.schedule(() -> {}, 10);
        timeouts.schedule(() -> {}, 50);
        assertThat(timeouts.sweeping()).isTrue();
        f.cancel(false);
        advanceMillis(10);
        timeouts.sweep();
        assertThat(timeouts.sweeping()).as("one is still armed").isTrue();
        advanceMillis(40);
        timeouts.sweep();
        assertThat(timeouts.armedCount()).isZero();
        assertThat(timeouts.sweeping()).isFalse();
    }

    @Test
    void aFailingTimeoutDoesNotKeepTheOthersFromRunning() {
        List<String> ran = new ArrayList<>();
        timeouts.schedule(
                () -> {
                    throw new IllegalStateException("boom");
                },
                10);
        timeouts.schedule(() -> ran.add("b"), 10);
        advanceMillis(10);
        timeouts.sweep();
        assertThat(ran).containsExactly("b");
        assertThat(timeouts.armedCount()).isZero();
    }

    @Test
    void onTheRealClockTheTimerThreadSweeps() throws InterruptedException {
        SweptTimeouts real = new SweptTimeouts(timers, Ticker.SYSTEM, Duration.ofMillis(5));
        CountDownLatch fired = new CountDownLatch(2);
        long start = System.nanoTime();
        real.schedule(fired::countDown, 20);
        real.schedule(fired::countDown, 40);
        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
        await().atMost(Duration.ofSeconds(5)).until(() -> !real.sweeping());
        assertThat(real.armedCount()).isZero();
    }
}
