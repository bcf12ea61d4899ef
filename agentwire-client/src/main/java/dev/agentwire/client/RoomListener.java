package dev.agentwire.client;

import com.fasterxml.jackson.databind.JsonNode;

/** Receives a room's messages in offset order, on the client's callback thread. */
@FunctionalInterface
public interface RoomListener {

    /** A message: {@code {room, offset, epoch, id, from, text, data, ts}}. */
    void onMessage(JsonNode message);

    /**
     * A rejoin could not recover what was missed (the room's history was trimmed past the last offset seen, or
     * its epoch changed): {@code join} holds the new state and the recent history that was delivered instead.
     */
    default void onGap(JsonNode join) {}
}
