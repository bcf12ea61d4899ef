package dev.agentwire.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.rooms.Store;
import dev.agentwire.protocol.Json;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToIntFunction;

/**
 * Room history in Redis, shared by every hub of a cluster (docs/CLUSTER.md). A publish is the {@code publish.lua}
 * script: idempotency, the epoch, the next offset, {@code XADD} with the room's {@code MAXLEN}, and the
 * {@code PUBLISH} other hubs hear, in one step, so every hub sees one order per room. A batch's scripts are
 * pipelined on the command connection. Called from the rooms sequencer only; each call waits at most the
 * cluster timeout and fails rather than hang.
 */
public final class RedisStore implements Store {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long a retry with the same client message id finds the first publish. */
    static final Duration IDEMPOTENCY = Duration.ofHours(24);

    private static final RedisScript PUBLISH = RedisScript.named("publish");
    private static final RedisScript ROOM = RedisScript.named("room");
    private static final RedisScript TRIM = RedisScript.named("trim");

    private final RedisLink redis;
    private final String hub;
    private final ToIntFunction<String> maxMessages;
    private final Duration timeout;

    /**
     * @param hub this hub's id, sent with each publish so that it can tell its own messages on the channel
     * @param maxMessages a room's retention in messages (its stream's {@code MAXLEN})
     */
    public RedisStore(RedisLink redis, String hub, ToIntFunction<String> maxMessages, Duration timeout) {
        this.redis = redis;
        this.hub = hub;
        this.maxMessages = maxMessages;
        this.timeout = timeout;
    }

    @Override
    public List<Stored> append(List<Append> batch) {
        List<CompletableFuture<List<Object>>> replies = new ArrayList<>(batch.size());
        for (Append a : batch) {
            String cmid = a.clientMessageId().orElse("");
            String[] keys = {
                RoomKeys.meta(a.room()),
                RoomKeys.stream(a.room()),
                cmid.isEmpty() ? RoomKeys.meta(a.room()) : RoomKeys.idempotency(a.room(), a.from(), cmid)
            };
            replies.add(PUBLISH.run(
                    redis.async(),
                    keys,
                    Long.toString(newEpoch()),
                    Integer.toString(Math.max(1, maxMessages.applyAsInt(a.room()))),
                    RoomKeys.channel(a.room()),
                    hub,
                    encode(a),
                    Long.toString(a.ts()),
                    a.id(),
                    cmid.isEmpty() ? "" : Long.toString(IDEMPOTENCY.toSeconds())));
        }
        List<Stored> out = new ArrayList<>(batch.size());
        List<CompletableFuture<?>> added = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Append a = batch.get(i);
            List<Object> r;
            try {
                r = await(replies.get(i));
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof io.lettuce.core.RedisCommandExecutionException refusal)) {
                    throw e; // Redis did not answer: the batch's fate is unknown, the caller decides
                }
                // Redis answered this one with an error (out of memory, say): the others were stored all the same.
                out.add(Stored.refused(a, "Redis " + redis + " answered: " + refusal.getMessage()));
                continue;
            }
            long offset = Long.parseLong((String) r.get(0));
            long epoch = Long.parseLong((String) r.get(1));
            if ("1".equals(r.get(2))) {
                added.add(redis.async().sadd(RoomKeys.ROOMS, a.room()).toCompletableFuture());
            }
            boolean duplicate = "1".equals(r.get(3));
            out.add(new Stored(
                    a.room(), offset, epoch, (String) r.get(4), a.from(), a.text(), a.data(), a.ts(), duplicate));
        }
        added.forEach(this::await);
        return out;
    }

    @Override
    public RoomState room(String room) {
        List<Object> r = await(ROOM.run(
                redis.async(), new String[] {RoomKeys.meta(room), RoomKeys.stream(room)}, Long.toString(newEpoch())));
        if ("1".equals(r.get(3))) {
            await(redis.async().sadd(RoomKeys.ROOMS, room).toCompletableFuture());
        }
        long epoch = Long.parseLong((String) r.get(0));
        long top = Long.parseLong((String) r.get(1));
        String oldest = (String) r.get(2);
        long first = oldest.isEmpty() ? top + 1 : offsetOf(oldest);
        return new RoomState(room, epoch, top, first);
    }

    @Override
    public List<RoomState> rooms() {
        List<String> names =
                new ArrayList<>(await(redis.async().smembers(RoomKeys.ROOMS).toCompletableFuture()));
        Collections.sort(names);
        List<RoomState> out = new ArrayList<>(names.size());
        for (String name : names) {
            out.add(room(name));
        }
        return out;
    }

    @Override
    public List<Stored> after(String room, long afterOffset, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        var epoch = redis.async().hget(RoomKeys.meta(room), "epoch").toCompletableFuture();
        var entries = redis.async()
                .xrange(
                        RoomKeys.stream(room),
                        Range.create((afterOffset + 1) + "-0", "+"),
                        io.lettuce.core.Limit.from(limit))
                .toCompletableFuture();
        return decode(room, await(epoch), await(entries));
    }

    @Override
    public List<Stored> before(String room, long beforeOffset, int limit) {
        if (limit <= 0 || beforeOffset <= 1) {
            return List.of();
        }
        var epoch = redis.async().hget(RoomKeys.meta(room), "epoch").toCompletableFuture();
        var entries = redis.async()
                .xrevrange(
                        RoomKeys.stream(room),
                        Range.create("-", (beforeOffset - 1) + "-0"),
                        io.lettuce.core.Limit.from(limit))
                .toCompletableFuture();
        List<Stored> out = new ArrayList<>(decode(room, await(epoch), await(entries)));
        Collections.reverse(out);
        return out;
    }

    @Override
    public void trim(String room, int maxMessages, long minTs) {
        await(TRIM.run(
                redis.async(),
                new String[] {RoomKeys.stream(room)},
                Integer.toString(Math.max(1, maxMessages)),
                Long.toString(minTs)));
    }

    @Override
    public void close() {
        // The link is the hub's, closed after the rooms.
    }

    private static long newEpoch() {
        return RANDOM.nextLong() & Store.MAX_EPOCH;
    }

    private static long offsetOf(String streamId) {
        int dash = streamId.indexOf('-');
        return Long.parseLong(dash < 0 ? streamId : streamId.substring(0, dash));
    }

    /** The message as the stream and the channel carry it: everything but the offset and epoch. */
    static String encode(Append a) {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("id", a.id());
        m.put("from", a.from());
        if (a.text() != null) {
            m.put("text", a.text());
        }
        if (a.data() != null && !a.data().isMissingNode()) {
            m.set("data", a.data());
        }
        m.put("ts", a.ts());
        return m.toString();
    }

    /** A message as {@link #encode} wrote it, with its place. */
    static Stored decode(String room, long offset, long epoch, String json) {
        try {
            JsonNode m = Json.mapper().readTree(json);
            JsonNode text = m.get("text");
            return new Stored(
                    room,
                    offset,
                    epoch,
                    m.path("id").asText(),
                    m.path("from").asText(),
                    text == null || text.isNull() ? null : text.asText(),
                    m.has("data") ? m.get("data") : Json.mapper().missingNode(),
                    m.path("ts").asLong(),
                    false);
        } catch (IOException e) {
            throw new UncheckedIOException("a message of room " + room + " at offset " + offset + " is not JSON", e);
        }
    }

    private static List<Stored> decode(String room, String epoch, List<StreamMessage<String, String>> entries) {
        long e = epoch == null ? 0 : Long.parseLong(epoch);
        List<Stored> out = new ArrayList<>(entries.size());
        for (StreamMessage<String, String> s : entries) {
            out.add(decode(room, offsetOf(s.getId()), e, s.getBody().get("m")));
        }
        return out;
    }

    private <T> T await(CompletableFuture<T> f) {
        return redis.await(f, timeout);
    }
}
