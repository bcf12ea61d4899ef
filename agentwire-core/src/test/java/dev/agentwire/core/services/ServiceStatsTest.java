package dev.agentwire.core.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServiceStatsTest {

    private static long ms(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void nothingHandledReadsZero() {
        ServiceStats s = new ServiceStats();
        assertThat(s.p99Millis()).isZero();
        assertThat(s.meanMillis()).isZero();
        assertThat(s.handledCount()).isZero();
    }

    @Test
    void countsTheMeanAndTheP99OfWhatWasHandled() {
        ServiceStats s = new ServiceStats();
        for (int i = 1; i <= 100; i++) {
            s.handled(ms(i));
        }
        s.failed();
        assertThat(s.handledCount()).isEqualTo(100);
        assertThat(s.failedCount()).isEqualTo(1);
        assertThat(s.meanMillis()).isCloseTo(50.5, within(1e-9));
        assertThat(s.p99Millis()).isEqualTo(99.0);
    }

    @Test
    void theP99IsOfTheLast1024Only() {
        ServiceStats s = new ServiceStats();
        for (int i = 0; i < 1024; i++) {
            s.handled(ms(500));
        }
        for (int i = 0; i < 1024; i++) {
            s.handled(ms(1));
        }
        assertThat(s.p99Millis()).as("the slow ones were pushed out").isEqualTo(1.0);
        s.handled(ms(700));
        s.handled(ms(700));
        s.handled(ms(700));
        s.handled(ms(700));
        s.handled(ms(700));
        s.handled(ms(700));
        s.handled(ms(700));
        s.handled(ms(700));
        s.handled(ms(700));
        s.handled(ms(700));
        s.handled(ms(700));
        assertThat(s.p99Millis()).as("11 slow of the last 1024 is over 1%").isEqualTo(700.0);
        assertThat(s.handledCount()).isEqualTo(2059);
    }

    @Test
    void threadsRecordingAtOnceLoseNoCount() throws InterruptedException {
        ServiceStats s = new ServiceStats();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    s.handled(ms(2));
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(s.handledCount()).isEqualTo(40_000);
        assertThat(s.p99Millis()).isEqualTo(2.0);
    }
}
