package dev.agentwire.core.rooms;

import java.util.List;

/**
 * Carries committed room messages to the rooms' members: those on this hub and, in a cluster, those on the other
 * hubs. The bus moves only what was just stored; history is the {@link Store}'s, so a hub that misses part of the
 * stream (a gap in offsets, another epoch) catches up from the store, never from the bus.
 *
 * <p>Threading: the rooms sequencer alone calls {@link #publish}, {@link #follow} and {@link #unfollow}; none of
 * them may block for long. A batch this hub publishes reaches the listeners synchronously, on the publishing
 * thread, before {@code publish} returns (so members hear a message before its sender's ack, as on one hub).
 * Batches other hubs published reach them on the bus's own thread, in the order each hub published them.
 *
 * <p>Lifecycle: {@link #subscribe} before the first publish; the rooms service {@link #close}s the bus after its
 * sequencer has stopped. Implemented by {@link LocalRoomBus} (one hub); a cluster's bus is pub/sub.
 */
public interface RoomBus extends AutoCloseable {

    /** The sender of a message that did not come from a connection of this hub (connection ids start at 1). */
    long NO_SENDER = 0;

    /**
     * One committed message and the id of the connection of this hub that published it, or {@link #NO_SENDER}: a
     * member without echo is not sent its own messages, and only the publishing hub knows who that is.
     */
    record Entry(Store.Stored message, long senderId) {}

    /**
     * Committed messages of one room, in offset order, none of them a duplicate. The list is not copied (this is
     * the fan-out's hot path): whoever builds a batch must not change the list after publishing it.
     */
    record Batch(String room, List<Entry> entries) {}

    /** What a hub does with a room's batch: hands it to its members there. */
    @FunctionalInterface
    interface Listener {
        void received(Batch batch);
    }

    /** Tells {@code listener} of every batch from now on: this hub's own, then other hubs'. */
    void subscribe(Listener listener);

    /**
     * Sends a committed batch to every hub with members in its room, this one first and synchronously. A listener's
     * exception propagates to the caller.
     */
    void publish(Batch batch);

    /** This hub has members in {@code room} now (its first one joined): batches of other hubs for it are wanted. */
    void follow(String room);

    /** This hub has no members in {@code room} any more: other hubs' batches for it are not wanted. */
    void unfollow(String room);

    /**
     * How often the hub should check that its members have every message the store holds ({@link
     * RoomService#catchUp}): for a bus that can lose the last messages before a quiet spell, as pub/sub can across
     * a reconnect. Empty (the default) for a bus that loses nothing.
     */
    default java.util.Optional<java.time.Duration> catchUpEvery() {
        return java.util.Optional.empty();
    }

    /** Stops delivery; {@link #publish} after it throws {@link IllegalStateException}. */
    @Override
    void close();
}
