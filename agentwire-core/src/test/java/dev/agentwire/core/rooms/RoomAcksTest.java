package dev.agentwire.core.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.HubException;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.Ticker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When publishes are acknowledged: after their batch is stored, in publish order, and never for a failed batch. */
class RoomAcksTest {

    /** A memory store whose appends wait for {@link #open} and whose first {@code failures} appends throw. */
    static final class GatedStore implements Store {
        final MemoryStore delegate = new MemoryStore();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);
        final AtomicInteger failures = new AtomicInteger();

        @Override
        public List<Stored> append(List<Append> batch) {
            entered.countDown();
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("the disk is full");
            }
            return delegate.append(batch);
        }

        @Override
        public RoomState room(String room) {
            return delegate.room(room);
        }

        @Override
        public List<RoomState> rooms() {
            return delegate.rooms();
        }

        @Override
        public List<Stored> after(String room, long afterOffset, int limit) {
            return delegate.after(room, afterOffset, limit);
        }

        @Override
        public List<Stored> before(String room, long beforeOffset, int limit) {
            return delegate.before(room, beforeOffset, limit);
        }

        @Override
        public void trim(String room, int maxMessages, long minTs) {
            delegate.trim(room, maxMessages, minTs);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    private final GatedStore store = new GatedStore();
    private final HubCore core = RoomHubs.hub(store, RoomHubs.settings(10_000, 3600, 0, 10_000), Ticker.SYSTEM);
    private final RoomService rooms = core.require(RoomService.class);
    private final Connection sender = TestPeer.unix(core, 1001).connection();

    @AfterEach
    void close() {
        store.open.countDown();
        core.close();
    }

    private CompletableFuture<JsonNode> publish(String text) {
        return rooms.publish(sender, "r", text, null, Optional.empty());
    }

    @Test
    void acksWaitForTheStoreAndComeInPublishOrder() throws Exception {
        List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            acks.add(publish("m" + i));
        }
        assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
        List<Long> completed = Collections.synchronizedList(new ArrayList<>());
        // Wait on the recording stages themselves: a future runs its dependents last-registered first, so waiting on
        // the acks could wake this thread before the last one was recorded.
        List<CompletableFuture<Void>> recorded = new ArrayList<>();
        acks.forEach(a ->
                recorded.add(a.thenAccept(r -> completed.add(r.path("offset").asLong()))));

        assertThat(acks).as("acks while the batch is being stored").noneMatch(CompletableFuture::isDone);

        store.open.countDown();
        CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(completed).as("offsets in the order the acks completed").isEqualTo(RoomHubs.range(1, 500));
    }

    @Test
    void aBatchTheStoreFailsIsNotAcknowledgedAndTheNextOneIs() throws Exception {
        store.failures.set(1);
        CompletableFuture<JsonNode> failed = publish("lost");
        store.open.countDown();

        assertThat(failed)
                .failsWithin(10, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(HubException.class)
                .withMessageContaining("not stored");

        JsonNode ack = publish("kept").get(10, TimeUnit.SECONDS);
        assertThat(ack.path("offset").asLong()).isEqualTo(1);
        JsonNode history =
                rooms.history("r", Optional.empty(), Optional.empty(), 10).get(10, TimeUnit.SECONDS);
        assertThat(history.path("messages")).hasSize(1);
        assertThat(history.path("messages").get(0).path("text").asText()).isEqualTo("kept");
    }
}
