package dev.agentwire.bench;

import dev.agentwire.client.AgentwireClient;
import dev.agentwire.client.BlockingClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Sequential {@code hub/ping} round trips through the real client and hub. */
final class HubPing {

    private HubPing() {}

    static Stats run(AgentwireClient client, int iterations, int warmup) throws Exception {
        for (int i = 0; i < warmup; i++) {
            client.request("hub/ping").get(10, TimeUnit.SECONDS);
        }
        long[] samples = new long[iterations];
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            client.request("hub/ping", null, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
            samples[i] = System.nanoTime() - t0;
        }
        return Stats.of(samples, System.nanoTime() - start);
    }

    /** The same through a {@link BlockingClient}: written and read on this thread. */
    static Stats runBlocking(BlockingClient client, int iterations, int warmup) {
        for (int i = 0; i < warmup; i++) {
            client.request("hub/ping", null, Duration.ofSeconds(10));
        }
        long[] samples = new long[iterations];
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            client.request("hub/ping", null, Duration.ofSeconds(10));
            samples[i] = System.nanoTime() - t0;
        }
        return Stats.of(samples, System.nanoTime() - start);
    }
}
