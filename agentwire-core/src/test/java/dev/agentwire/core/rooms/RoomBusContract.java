package dev.agentwire.core.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.protocol.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RoomBus} does for the hub that publishes, without sockets: a subclass gives the bus (a
 * cluster's bus runs the same tests against one of its hubs; what crosses hubs is its own suite's business).
 */
abstract class RoomBusContract {

    /** A new bus, not yet subscribed to. */
    protected abstract RoomBus newBus();

    private RoomBus bus;

    @BeforeEach
    void open() {
        bus = newBus();
    }

    @AfterEach
    void close() {
        bus.close();
    }

    static RoomBus.Batch batch(String room, long firstOffset, long... senders) {
        List<RoomBus.Entry> entries = new ArrayList<>();
        for (int i = 0; i < senders.length; i++) {
            Store.Stored s = new Store.Stored(
                    room,
                    firstOffset + i,
                    7,
                    "id-" + (firstOffset + i),
                    "alice",
                    "message " + i,
                    Json.mapper().missingNode(),
                    1_000 + i,
                    false);
            entries.add(new RoomBus.Entry(s, senders[i]));
        }
        return new RoomBus.Batch(room, entries);
    }

    private record Heard(RoomBus.Batch batch, Thread thread) {}

    @Test
    void aPublishedBatchReachesEveryListenerOnThePublishingThreadBeforePublishReturns() {
        List<Heard> first = new ArrayList<>();
        List<Heard> second = new ArrayList<>();
        bus.subscribe(b -> first.add(new Heard(b, Thread.currentThread())));
        bus.subscribe(b -> second.add(new Heard(b, Thread.currentThread())));
        RoomBus.Batch b = batch("r", 1, 3, 3, 4);

        bus.publish(b);

        Heard expected = new Heard(b, Thread.currentThread());
        assertThat(first).as("the first listener, right after publish").containsExactly(expected);
        assertThat(second).as("the second listener, right after publish").containsExactly(expected);
        assertThat(first.get(0).batch().entries())
                .extracting(e -> e.message().offset(), RoomBus.Entry::senderId)
                .as("offsets and senders, in order")
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, 3L),
                        org.assertj.core.groups.Tuple.tuple(2L, 3L),
                        org.assertj.core.groups.Tuple.tuple(3L, 4L));
    }

    @Test
    void batchesArriveInTheOrderTheyWerePublishedWhateverTheRoom() {
        List<String> heard = new CopyOnWriteArrayList<>();
        bus.subscribe(
                b -> heard.add(b.room() + "@" + b.entries().get(0).message().offset()));

        bus.publish(batch("a", 1, 1));
        bus.publish(batch("b", 1, 1));
        bus.publish(batch("a", 2, RoomBus.NO_SENDER));

        assertThat(heard).containsExactly("a@1", "b@1", "a@2");
    }

    @Test
    void ownBatchesAreDeliveredWhetherOrNotTheRoomIsFollowed() {
        List<String> heard = new ArrayList<>();
        bus.subscribe(b -> heard.add(b.room()));

        bus.publish(batch("never-followed", 1, 1));
        bus.follow("r");
        bus.publish(batch("r", 1, 1));
        bus.unfollow("r");
        bus.publish(batch("r", 2, 1));

        assertThat(heard).containsExactly("never-followed", "r", "r");
    }

    @Test
    void aListenersExceptionReachesThePublisher() {
        bus.subscribe(b -> {
            throw new IllegalArgumentException("listener broke on " + b.room());
        });

        assertThatThrownBy(() -> bus.publish(batch("r", 1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("listener broke on r");
    }

    @Test
    void publishingWithoutListenersIsHarmless() {
        bus.publish(batch("r", 1, 1));
    }

    @Test
    void afterCloseNothingIsDeliveredAndPublishSaysSo() {
        List<RoomBus.Batch> heard = new ArrayList<>();
        bus.subscribe(heard::add);
        bus.close();

        assertThatThrownBy(() -> bus.publish(batch("r", 1, 1, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed")
                .hasMessageContaining("2 messages of room r");
        assertThat(heard).as("batches heard after close").isEmpty();
    }
}
