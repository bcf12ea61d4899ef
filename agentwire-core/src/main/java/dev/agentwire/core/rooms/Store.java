package dev.agentwire.core.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * Where room history lives (SQLite by default, Redis later). Called from the rooms sequencer thread only, so
 * implementations need not be thread safe; {@link #append} must be durable when it returns.
 */
public interface Store extends AutoCloseable {

    /**
     * New epochs are random in {@code [0, MAX_EPOCH]}: 2^53 - 1, the largest integer a JSON client that reads
     * numbers as doubles (JavaScript) holds exactly, so it can send the epoch back in a join's {@code since}.
     */
    long MAX_EPOCH = (1L << 53) - 1;

    /** A message to store. {@code clientMessageId} makes a retried publish idempotent per room and sender. */
    record Append(
            String room,
            String id,
            String from,
            String text,
            JsonNode data,
            long ts,
            Optional<String> clientMessageId) {}

    /**
     * A stored message; {@code duplicate} when the append matched an earlier one by client message id. Or, with
     * {@code refused} set, one the store refused alone (Redis answered that one with an error) while the rest of its
     * batch was stored: its publisher gets the reason, the others their acknowledgements.
     */
    record Stored(
            String room,
            long offset,
            long epoch,
            String id,
            String from,
            String text,
            JsonNode data,
            long ts,
            boolean duplicate,
            String refused) {

        public Stored(
                String room,
                long offset,
                long epoch,
                String id,
                String from,
                String text,
                JsonNode data,
                long ts,
                boolean duplicate) {
            this(room, offset, epoch, id, from, text, data, ts, duplicate, null);
        }

        /** {@code a}, refused by the store for {@code reason}. */
        public static Stored refused(Append a, String reason) {
            return new Stored(a.room(), 0, 0, a.id(), a.from(), a.text(), a.data(), a.ts(), false, reason);
        }
    }

    /**
     * A room's state: {@code epoch} changes when its history is lost or reset; {@code lastOffset} is the
     * newest message's offset (0 when empty); {@code firstOffset} the oldest kept (lastOffset + 1 when empty).
     */
    record RoomState(String room, long epoch, long lastOffset, long firstOffset) {}

    /** Stores a batch in one transaction (group commit); durable when it returns. Results are in order. */
    List<Stored> append(List<Append> batch);

    /** The room's state, creating the room (with a new epoch) if it does not exist. */
    RoomState room(String room);

    /** Every room the store holds. */
    List<RoomState> rooms();

    /** Up to {@code limit} messages with offsets after {@code afterOffset}, oldest first. */
    List<Stored> after(String room, long afterOffset, int limit);

    /** Up to {@code limit} messages with offsets before {@code beforeOffset}, oldest first. */
    List<Stored> before(String room, long beforeOffset, int limit);

    /** Drops the oldest messages beyond {@code maxMessages} and those older than {@code minTs}. */
    void trim(String room, int maxMessages, long minTs);

    /**
     * Finishes work the store could not finish when it was asked (a cluster's outbox, kept while Redis was gone,
     * goes to Redis now). The rooms call it at each catch-up; it throws if the work still cannot be done.
     */
    default void resume() {}

    @Override
    void close();
}
