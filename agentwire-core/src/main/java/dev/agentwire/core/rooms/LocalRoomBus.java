package dev.agentwire.core.rooms;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The bus of a hub alone: a published batch goes to the listeners on the publishing thread, and there are no
 * other hubs to hear from, so following a room changes nothing. Thread safe.
 */
public final class LocalRoomBus implements RoomBus {

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    @Override
    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void publish(Batch batch) {
        if (closed) {
            throw new IllegalStateException("the room bus is closed; "
                    + batch.entries().size() + " messages of room " + batch.room() + " were not delivered");
        }
        for (Listener l : listeners) {
            l.received(batch);
        }
    }

    @Override
    public void follow(String room) {
        // One hub: every batch is its own, and it hears all of them.
    }

    @Override
    public void unfollow(String room) {
        // Nothing followed, nothing to stop.
    }

    @Override
    public void close() {
        closed = true;
    }
}
