package dev.agentwire.core.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.Connection;
import dev.agentwire.core.Encoded;
import dev.agentwire.core.EncodedBatch;
import dev.agentwire.core.HubException;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.policy.TokenBucket;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms: membership, durable publish with group commit, delivery in offset order, recovery on rejoin.
 *
 * <p>Threading: one sequencer thread ({@code aw-rooms}) owns the store and the membership. Publishes queued
 * back to back are stored in one transaction, then published on the {@link RoomBus} (which hands them back to
 * {@link #received} for this hub's members) and acknowledged, in offset order; joins, leaves and reads run
 * between batches, so a joining member's history ends exactly where its live messages begin. Batches other hubs
 * published are delivered on the sequencer too. Callers get futures; nothing here blocks a caller.
 *
 * <p>Lifecycle: the constructor starts nothing; {@link #start()} starts the sequencer, once; calls before it
 * fail with {@link IllegalStateException}; {@link #close()} lets it finish what is queued, then closes the bus and
 * the store.
 */
public final class RoomService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RoomService.class);
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.:@/\\-]{1,128}");
    private static final int MAX_BATCH = 1000;

    private final Store store;
    private final RoomBus bus;
    private final RoomSettings settings;
    private final Ticker ticker;
    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final Thread sequencer;
    private final Map<String, Map<Connection, Member>> members = new HashMap<>();
    private final Map<Connection, Integer> roomCounts = new ConcurrentHashMap<>();
    /** The rooms each connection is in (written by the sequencer, read by anyone: hub/connections). */
    private final Map<Connection, Set<String>> memberships = new ConcurrentHashMap<>();

    private final Map<String, TokenBucket> rates = new ConcurrentHashMap<>();
    private final Map<String, Integer> appendsSinceTrim = new HashMap<>();
    private volatile boolean started;
    /** Group commits made and the publishes they held (written by the sequencer only). */
    private volatile long commits;

    private volatile long committed;
    /** Set by {@link #start()}, cleared by {@link #close()}. */
    private volatile boolean running;

    private record Member(boolean echo) {}

    /**
     * Where a room this hub follows stands in what its members here were given: the epoch and the last offset. A
     * batch is delivered in offset order against it (older offsets skipped, a gap filled from the store first, a
     * new epoch adopted), so members hear one order whatever order the bus and this hub's own commits arrive in.
     * The epoch before the current one is remembered with where members stood in it: a store that comes back to it
     * (a cluster's Redis, after the hub served its rooms from a local outbox) goes on from there, gap filled. The
     * sequencer's alone.
     */
    private static final class Position {
        long epoch;
        long offset;
        long previousEpoch = -1;
        long previousOffset;

        Position(long epoch, long offset) {
            this.epoch = epoch;
            this.offset = offset;
        }

        /** Moves to {@code next}, whose newest message is at {@code top}; from where members were, if they were. */
        void adopt(long next, long top) {
            long from = next == previousEpoch ? Math.min(previousOffset, top) : top;
            previousEpoch = epoch;
            previousOffset = offset;
            epoch = next;
            offset = from;
        }
    }

    private final Map<String, Position> positions = new HashMap<>();

    /** A publish waiting for the next batch. */
    private record Publish(Store.Append append, Connection sender, CompletableFuture<JsonNode> ack)
            implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException("publishes run in batches");
        }
    }

    /** Rooms of one hub: delivery through a {@link LocalRoomBus}. */
    public RoomService(Store store, RoomSettings settings, Ticker ticker) {
        this(store, new LocalRoomBus(), settings, ticker);
    }

    /** Rooms kept in {@code store} and delivered through {@code bus}; the service closes both when it closes. */
    public RoomService(Store store, RoomBus bus, RoomSettings settings, Ticker ticker) {
        this.store = store;
        this.bus = bus;
        this.settings = settings;
        this.ticker = ticker;
        this.sequencer = new Thread(this::loop, "aw-rooms");
        this.sequencer.setDaemon(true);
    }

    /** Starts the sequencer thread ({@code aw-rooms}). Call once, before the first call. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("the rooms service is already started");
        }
        started = true;
        running = true;
        bus.subscribe(this::received);
        sequencer.start();
    }

    static String checkRoom(JsonNode room) {
        if (room == null || !room.isTextual() || !ROOM.matcher(room.textValue()).matches()) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS,
                    "invalid_room",
                    "room must be a string of 1-128 letters, digits or _ . : @ / -, got " + room);
        }
        if (room.textValue().equals("@")) {
            throw HubException.of(
                    ErrorCode.INVALID_PARAMS, "invalid_room", "an inbox is @ and an identity, e.g. @alice; got @");
        }
        return room.textValue();
    }

    // --- operations -----------------------------------------------------------------------------------------

    /** {@code rooms/join}: joins (creating the room), returns members, offset, epoch and history or recovery. */
    public CompletableFuture<JsonNode> join(
            Connection c, String room, Optional<long[]> since, int history, boolean echo) {
        return submit(() -> {
            Map<Connection, Member> m = members.computeIfAbsent(room, r -> new LinkedHashMap<>());
            if (!m.containsKey(c)) {
                int count = roomCounts.getOrDefault(c, 0);
                if (count >= settings.maxRoomsPerConnection()) {
                    var data = HubException.reasonData("too_many_rooms");
                    data.put("limit", settings.maxRoomsPerConnection());
                    throw HubException.withData(
                            ErrorCode.INVALID_PARAMS,
                            "a connection may be in at most " + settings.maxRoomsPerConnection()
                                    + " rooms (rooms.maxPerConnection)",
                            data);
                }
                if (m.isEmpty()) {
                    bus.follow(room);
                }
                roomCounts.merge(c, 1, Integer::sum);
                memberships
                        .computeIfAbsent(c, k -> ConcurrentHashMap.newKeySet())
                        .add(room);
                presence(room, c, "joined");
            }
            m.put(c, new Member(echo));
            Store.RoomState state = store.room(room);
            // Followed before the state was read: what the bus brings from here on is after it or skipped.
            positions.putIfAbsent(room, new Position(state.epoch(), state.lastOffset()));
            ObjectNode out = Json.mapper().createObjectNode();
            out.put("room", room);
            out.put("epoch", state.epoch());
            out.put("offset", state.lastOffset());
            out.put("firstOffset", state.firstOffset());
            boolean recovered = false;
            List<Store.Stored> messages;
            if (since.isPresent()) {
                long sinceOffset = since.get()[0];
                long sinceEpoch = since.get()[1];
                recovered = sinceEpoch == state.epoch()
                        && sinceOffset + 1 >= state.firstOffset()
                        && sinceOffset <= state.lastOffset()
                        && state.lastOffset() - sinceOffset <= settings.maxRecover();
                messages = recovered
                        ? store.after(room, sinceOffset, settings.maxRecover())
                        : store.before(room, state.lastOffset() + 1, history);
            } else {
                messages = history > 0 ? store.before(room, state.lastOffset() + 1, history) : List.of();
            }
            out.put("recovered", recovered);
            ArrayNode list = out.putArray("messages");
            messages.forEach(s -> list.add(toJson(s)));
            out.set("members", describeMembers(room));
            return out;
        });
    }

    public CompletableFuture<JsonNode> leave(Connection c, String room) {
        return submit(() -> {
            Map<Connection, Member> m = members.get(room);
            boolean was = m != null && m.remove(c) != null;
            if (was) {
                roomCounts.computeIfPresent(c, (k, n) -> n <= 1 ? null : n - 1);
                Set<String> mine = memberships.get(c);
                if (mine != null) {
                    mine.remove(room);
                }
                presence(room, c, "left");
                if (m.isEmpty()) {
                    unfollow(room);
                }
            }
            return Json.mapper().createObjectNode().put("room", room).put("left", was);
        });
    }

    /** {@code rooms/publish}: durable first, then acknowledged and delivered. */
    public CompletableFuture<JsonNode> publish(
            Connection c, String room, String text, JsonNode data, Optional<String> clientMessageId) {
        checkMessage("rooms/publish", text, data);
        String from = c.identity();
        rateLimit(from);
        CompletableFuture<JsonNode> ack = new CompletableFuture<>();
        enqueue(
                new Publish(
                        new Store.Append(
                                room,
                                UUID.randomUUID().toString(),
                                from,
                                text,
                                data == null ? Json.mapper().missingNode() : data,
                                System.currentTimeMillis(),
                                clientMessageId),
                        c,
                        ack),
                ack);
        return ack;
    }

    /** A message's text and data: one of them, and together within {@code rooms.maxTextBytes}. */
    private void checkMessage(String method, String text, JsonNode data) {
        int size = (text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length)
                + (data == null || data.isMissingNode() ? 0 : data.toString().length());
        if (size > settings.maxTextBytes()) {
            var d = HubException.reasonData("too_large");
            d.put("limit", settings.maxTextBytes());
            d.put("length", size);
            throw HubException.withData(
                    ErrorCode.TOO_LARGE,
                    "a message of " + size + " bytes is over the limit of " + settings.maxTextBytes()
                            + " (rooms.maxTextBytes)",
                    d);
        }
        if (text == null && (data == null || data.isMissingNode())) {
            throw HubException.of(ErrorCode.INVALID_PARAMS, "empty_message", method + " needs text or data");
        }
    }

    /**
     * {@code rooms/broadcast} (the ElizaOS seed's {@code broadcastGlobally}): one {@code rooms/broadcast}
     * notification, now and never stored, to every connected member (the sender excepted) of every room of this
     * hub that {@code writable} admits; a member of several gets it once, with the list of those rooms. Counts
     * against the sender's publish rate.
     */
    public CompletableFuture<JsonNode> broadcast(
            Connection c,
            String text,
            JsonNode data,
            java.util.function.Predicate<String> writable,
            java.util.function.Predicate<String> nameable) {
        checkMessage("rooms/broadcast", text, data);
        rateLimit(c.identity());
        long ts = System.currentTimeMillis();
        return submit(() -> {
            Map<Connection, List<String>> to = new LinkedHashMap<>();
            ArrayNode reached = Json.mapper().createArrayNode();
            members.entrySet().stream()
                    .filter(e -> !e.getValue().isEmpty() && writable.test(e.getKey()))
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> {
                        if (nameable.test(e.getKey())) {
                            reached.add(e.getKey());
                        }
                        for (Connection member : e.getValue().keySet()) {
                            if (member != c) {
                                to.computeIfAbsent(member, k -> new ArrayList<>())
                                        .add(e.getKey());
                            }
                        }
                    });
            for (var e : to.entrySet()) {
                ObjectNode p = Json.mapper().createObjectNode();
                p.put("from", c.identity());
                if (text != null) {
                    p.put("text", text);
                }
                if (data != null && !data.isMissingNode()) {
                    p.set("data", data);
                }
                p.put("ts", ts);
                e.getValue().forEach(p.putArray("rooms")::add);
                e.getKey().outbound().sendEphemeral(new Message.Notification("rooms/broadcast", p));
            }
            ObjectNode out = Json.mapper().createObjectNode();
            out.set("rooms", reached);
            out.put("delivered", to.size());
            return out;
        });
    }

    /** {@code rooms/typing} and {@code rooms/control}: to the other members now, never stored. */
    public CompletableFuture<JsonNode> ephemeral(Connection c, String room, String method, ObjectNode params) {
        return submit(() -> {
            Map<Connection, Member> m = members.get(room);
            if (m == null || !m.containsKey(c)) {
                throw HubException.of(ErrorCode.FORBIDDEN, "not_a_member", "join " + room + " before " + method);
            }
            params.put("room", room);
            params.put("from", c.identity());
            Message note = new Message.Notification(method, params);
            for (Connection other : m.keySet()) {
                if (other != c) {
                    other.outbound().sendEphemeral(note);
                }
            }
            return Json.mapper().createObjectNode().put("sent", m.size() - 1);
        });
    }

    public CompletableFuture<JsonNode> history(String room, Optional<Long> before, Optional<Long> after, int limit) {
        return submit(() -> {
            Store.RoomState state = store.room(room);
            List<Store.Stored> list = after.isPresent()
                    ? store.after(room, after.get(), limit)
                    : store.before(room, before.orElse(state.lastOffset() + 1), limit);
            ObjectNode out = Json.mapper().createObjectNode();
            out.put("room", room);
            out.put("epoch", state.epoch());
            out.put("offset", state.lastOffset());
            out.put("firstOffset", state.firstOffset());
            ArrayNode arr = out.putArray("messages");
            list.forEach(s -> arr.add(toJson(s)));
            return out;
        });
    }

    /** The rooms {@code visible} admits (the caller's readable ones), with their offsets and member counts. */
    public CompletableFuture<JsonNode> list(java.util.function.Predicate<String> visible) {
        return submit(() -> {
            ObjectNode out = Json.mapper().createObjectNode();
            ArrayNode arr = out.putArray("rooms");
            store.rooms().stream()
                    .filter(s -> visible.test(s.room()))
                    .sorted(java.util.Comparator.comparing(Store.RoomState::room))
                    .forEach(s -> {
                        ObjectNode r = arr.addObject();
                        r.put("room", s.room());
                        r.put("epoch", s.epoch());
                        r.put("offset", s.lastOffset());
                        r.put("firstOffset", s.firstOffset());
                        r.put(
                                "members",
                                members.getOrDefault(s.room(), Map.of()).size());
                    });
            return out;
        });
    }

    public CompletableFuture<JsonNode> members(String room) {
        return submit(() -> Json.mapper().createObjectNode().put("room", room).set("members", describeMembers(room)));
    }

    /** A connection closed: it leaves every room. */
    public void connectionClosed(Connection c) {
        if (!roomCounts.containsKey(c)) {
            return;
        }
        submit(() -> {
            for (var e : members.entrySet()) {
                if (e.getValue().remove(c) != null) {
                    presence(e.getKey(), c, "left");
                    if (e.getValue().isEmpty()) {
                        unfollow(e.getKey());
                    }
                }
            }
            roomCounts.remove(c);
            memberships.remove(c);
            return Json.mapper().nullNode();
        });
    }

    private void unfollow(String room) {
        positions.remove(room);
        bus.unfollow(room);
    }

    /**
     * Brings the members of every room this hub follows up to the store's newest message, for a bus that may lose
     * the last messages before a quiet spell (a cluster's pub/sub: the hub calls it every
     * {@link RoomBus#catchUpEvery}).
     */
    public void catchUp() {
        if (!catchingUp.compareAndSet(false, true)) {
            return; // the last one has not run yet (a slow store): no pile of them on the sequencer
        }
        submit(() -> {
            try {
                try {
                    store.resume();
                } catch (RuntimeException e) {
                    log.warn(
                            "the room store could not finish its pending work; the next catch-up tries again: {}",
                            e.toString());
                }
                for (var e : List.copyOf(positions.entrySet())) {
                    Store.RoomState state = store.room(e.getKey());
                    Position p = e.getValue();
                    if (state.epoch() != p.epoch && state.epoch() == p.previousEpoch) {
                        // Back in the epoch the members had before (Redis again, after the outbox): from there.
                        log.info("room {}: back in epoch {}; catching its members up", e.getKey(), state.epoch());
                        p.adopt(state.epoch(), state.lastOffset());
                        deliver(new RoomBus.Batch(e.getKey(), List.of()), state.lastOffset());
                    } else if (state.epoch() == p.epoch && state.lastOffset() > p.offset) {
                        deliver(new RoomBus.Batch(e.getKey(), List.of()), state.lastOffset());
                    } else if (state.epoch() == p.epoch && state.lastOffset() < p.offset) {
                        // The store lost its tail (a failover) and will hand these offsets out again: follow it.
                        log.warn(
                                "room {}: the store's newest offset {} is behind the {} delivered; following the store",
                                e.getKey(),
                                state.lastOffset(),
                                p.offset);
                        p.offset = state.lastOffset();
                    }
                }
            } finally {
                catchingUp.set(false);
            }
            return Json.mapper().nullNode();
        });
    }

    private final java.util.concurrent.atomic.AtomicBoolean catchingUp =
            new java.util.concurrent.atomic.AtomicBoolean();

    /** The rooms {@code c} is in now, sorted. */
    public java.util.List<String> roomsOf(Connection c) {
        return memberships.getOrDefault(c, Set.of()).stream().sorted().toList();
    }

    /** Drops messages past the retention of every room; the hub calls it every minute. */
    public void trimAll() {
        submit(() -> {
            long now = System.currentTimeMillis();
            for (Store.RoomState s : store.rooms()) {
                store.trim(s.room(), settings.maxMessages(s.room()), now - settings.maxAgeSeconds(s.room()) * 1000);
            }
            return Json.mapper().nullNode();
        });
    }

    // --- the sequencer --------------------------------------------------------------------------------------

    private CompletableFuture<JsonNode> submit(Supplier<JsonNode> work) {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        enqueue(
                () -> {
                    try {
                        f.complete(work.get());
                    } catch (RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                },
                f);
        return f;
    }

    private void enqueue(Runnable task, CompletableFuture<JsonNode> f) {
        if (!started) {
            f.completeExceptionally(new IllegalStateException("the rooms service is not started (RoomService.start)"));
            return;
        }
        if (!running) {
            f.completeExceptionally(HubException.of(ErrorCode.OVERLOADED, "shutting_down", "the hub is shutting down"));
            return;
        }
        tasks.add(task);
    }

    private void loop() {
        List<Publish> batch = new ArrayList<>();
        while (running || !tasks.isEmpty()) {
            Runnable t;
            try {
                t = tasks.take();
            } catch (InterruptedException e) {
                break;
            }
            if (t instanceof Publish p) {
                batch.add(p);
                while (batch.size() < MAX_BATCH && tasks.peek() instanceof Publish) {
                    batch.add((Publish) tasks.poll());
                }
                try {
                    commit(batch);
                } catch (RuntimeException e) {
                    log.error("committing {} messages failed", batch.size(), e);
                    batch.forEach(failed -> failed.ack()
                            .completeExceptionally(HubException.of(
                                    ErrorCode.INTERNAL_ERROR,
                                    "store_failed",
                                    "the publish failed: " + e.getMessage())));
                }
                batch.clear();
            } else {
                try {
                    t.run();
                } catch (RuntimeException e) {
                    log.error("a rooms task failed", e);
                }
            }
        }
    }

    /** How many group commits the sequencer made, and how many publishes they held. */
    public record Commits(long batches, long messages) {}

    /** The group commits so far: what a benchmark reads to know the batch sizes publishers produce. */
    public Commits commits() {
        return new Commits(commits, committed);
    }

    private void commit(List<Publish> batch) {
        List<Store.Stored> stored;
        try {
            stored = store.append(batch.stream().map(Publish::append).toList());
        } catch (RuntimeException e) {
            log.error("storing {} messages failed", batch.size(), e);
            for (Publish p : batch) {
                p.ack()
                        .completeExceptionally(HubException.of(
                                ErrorCode.INTERNAL_ERROR,
                                "store_failed",
                                "the message was not stored: " + e.getMessage()));
            }
            return;
        }
        commits++;
        committed += batch.size();
        publish(batch, stored);
        for (int i = 0; i < batch.size(); i++) {
            Publish p = batch.get(i);
            Store.Stored s = stored.get(i);
            if (s.refused() != null) {
                p.ack()
                        .completeExceptionally(HubException.of(
                                ErrorCode.INTERNAL_ERROR,
                                "store_refused",
                                "the message was not stored: " + s.refused()));
                continue;
            }
            if (!s.duplicate()) {
                appendsSinceTrim.merge(s.room(), 1, Integer::sum);
            }
            ObjectNode ack = Json.mapper().createObjectNode();
            ack.put("id", s.id());
            ack.put("offset", s.offset());
            ack.put("epoch", s.epoch());
            ack.put("ts", s.ts());
            if (s.duplicate()) {
                ack.put("duplicate", true);
            }
            p.ack().complete(ack);
        }
        for (var e : appendsSinceTrim.entrySet()) {
            String room = e.getKey();
            if (e.getValue() >= Math.max(100, settings.maxMessages(room) / 10)) {
                e.setValue(0);
                try {
                    store.trim(
                            room,
                            settings.maxMessages(room),
                            System.currentTimeMillis() - settings.maxAgeSeconds(room) * 1000);
                } catch (RuntimeException ex) {
                    log.warn("trimming room {} failed; the next trim tries again: {}", room, ex.toString());
                }
            }
        }
    }

    /** Publishes a committed batch on the bus, one {@link RoomBus.Batch} per room, duplicates left out. */
    private void publish(List<Publish> batch, List<Store.Stored> stored) {
        Map<String, List<RoomBus.Entry>> byRoom = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            Store.Stored s = stored.get(i);
            if (!s.duplicate() && s.refused() == null) {
                byRoom.computeIfAbsent(s.room(), r -> new ArrayList<>())
                        .add(new RoomBus.Entry(s, batch.get(i).sender().id()));
            }
        }
        for (var e : byRoom.entrySet()) {
            try {
                bus.publish(new RoomBus.Batch(e.getKey(), e.getValue()));
            } catch (RuntimeException ex) {
                // Stored all the same: the publish is acknowledged and members catch up from history.
                log.error(
                        "delivering {} messages of room {} failed", e.getValue().size(), e.getKey(), ex);
            }
        }
    }

    /** A batch from the bus: delivered now on the sequencer (this hub's own), or queued for it (another hub's). */
    private void received(RoomBus.Batch batch) {
        if (Thread.currentThread() == sequencer) {
            deliver(batch);
        } else if (running) {
            tasks.add(() -> deliver(batch));
        }
    }

    /**
     * Delivers a room's batch to this hub's members: each gets the batch's messages, in offset order, in one
     * {@link dev.agentwire.core.Outbound#sendAll} (one write and flush for the whole batch, the bytes shared).
     */
    private void deliver(RoomBus.Batch batch) {
        deliver(batch, 0);
    }

    /** Delivers {@code batch}, and anything missing up to offset {@code through} (0: nothing more) before it. */
    private void deliver(RoomBus.Batch batch, long through) {
        Map<Connection, Member> m = members.get(batch.room());
        Position position = positions.get(batch.room());
        if (m == null || m.isEmpty() || position == null) {
            return;
        }
        long epochBefore = position.epoch;
        long offsetBefore = position.offset;
        long previousEpochBefore = position.previousEpoch;
        long previousOffsetBefore = position.previousOffset;
        List<RoomBus.Entry> entries;
        try {
            entries = inOrder(batch, position, through);
        } catch (RuntimeException e) {
            // Filling a gap failed (the store did not answer): nothing was sent, so the position stays where it
            // was, and the next batch or catch-up delivers these messages.
            position.epoch = epochBefore;
            position.offset = offsetBefore;
            position.previousEpoch = previousEpochBefore;
            position.previousOffset = previousOffsetBefore;
            log.warn(
                    "room {}: delivering {} messages failed; they follow with the next ones: {}",
                    batch.room(),
                    batch.entries().size(),
                    e.toString());
            return;
        }
        int n = entries.size();
        if (n == 0) {
            return;
        }
        Encoded[] encoded = new Encoded[n];
        long[] senders = new long[n];
        for (int i = 0; i < n; i++) {
            RoomBus.Entry e = entries.get(i);
            encoded[i] = Encoded.of(new Message.Notification("rooms/message", toJson(e.message())));
            senders[i] = e.senderId();
        }
        Arrays.sort(senders);
        EncodedBatch all = new EncodedBatch(Arrays.asList(encoded));
        for (var member : m.entrySet()) {
            Connection c = member.getKey();
            if (member.getValue().echo() || Arrays.binarySearch(senders, c.id()) < 0) {
                c.outbound().sendAll(all);
            } else {
                // A sender without echo: the batch without its own messages, for it alone.
                List<Encoded> others = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    if (entries.get(i).senderId() != c.id()) {
                        others.add(encoded[i]);
                    }
                }
                if (!others.isEmpty()) {
                    EncodedBatch own = new EncodedBatch(others);
                    c.outbound().sendAll(own);
                    own.release();
                }
            }
        }
        all.release();
    }

    /**
     * The batch's entries that come after {@code p}, with the messages between filled in from the store, and
     * {@code p} moved past them. The usual batch (same epoch, the next offsets) comes back as it is.
     */
    private List<RoomBus.Entry> inOrder(RoomBus.Batch batch, Position p, long through) {
        List<RoomBus.Entry> entries = batch.entries();
        boolean next = through <= p.offset;
        long expect = p.offset + 1;
        for (RoomBus.Entry e : entries) {
            next &= e.message().epoch() == p.epoch && e.message().offset() == expect++;
        }
        if (next) {
            if (!entries.isEmpty()) {
                p.offset = entries.get(entries.size() - 1).message().offset();
            }
            return entries;
        }
        List<RoomBus.Entry> out = new ArrayList<>(entries.size());
        for (RoomBus.Entry e : entries) {
            Store.Stored s = e.message();
            if (s.epoch() != p.epoch) {
                // The room's history was lost or reset (a Redis failover, say): its new epoch starts here, and the
                // members see it on the message.
                log.warn(
                        "room {} moved from epoch {} to {} at offset {}", batch.room(), p.epoch, s.epoch(), s.offset());
                p.adopt(s.epoch(), s.offset() - 1);
            }
            if (s.offset() <= p.offset) {
                continue; // delivered already (a gap filled before it, or this hub's own commit)
            }
            fill(batch.room(), p, s.offset() - 1, out);
            out.add(e);
            p.offset = s.offset();
        }
        fill(batch.room(), p, through, out);
        return out;
    }

    /** Adds the stored messages after {@code p} up to offset {@code upTo}, at most {@code rooms.maxRecover}. */
    private void fill(String room, Position p, long upTo, List<RoomBus.Entry> out) {
        if (upTo <= p.offset) {
            return;
        }
        int want = (int) Math.min(upTo - p.offset, settings.maxRecover());
        List<Store.Stored> stored = store.after(room, p.offset, want);
        if (stored.isEmpty() && store.room(room).epoch() != p.epoch) {
            // Nothing, from a store in another epoch (a cluster hub on its outbox while Redis's messages arrive):
            // the gap is not skipped; the next batch or catch-up fills it.
            throw new IllegalStateException("the store holds another epoch of room " + room + " than " + p.epoch);
        }
        for (Store.Stored s : stored) {
            if (s.epoch() != p.epoch) {
                // The store is in another epoch than these messages (a cluster hub still on its outbox when Redis's
                // messages come back): nothing is skipped; the next batch or catch-up fills the gap.
                throw new IllegalStateException(
                        "the store holds epoch " + s.epoch() + " of room " + room + ", not " + p.epoch);
            }
            if (s.offset() > upTo) {
                break;
            }
            out.add(new RoomBus.Entry(s, RoomBus.NO_SENDER));
        }
        if (upTo - p.offset > want) {
            log.warn(
                    "room {}: {} messages missed before offset {}; {} delivered, the rest is in its history",
                    room,
                    upTo - p.offset,
                    upTo + 1,
                    want);
        }
        p.offset = upTo;
    }

    private void presence(String room, Connection who, String action) {
        Map<Connection, Member> m = members.get(room);
        if (m == null) {
            return;
        }
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("room", room);
        p.put("action", action);
        p.set("member", describe(who));
        Message note = new Message.Notification("rooms/presence", p);
        for (Connection other : m.keySet()) {
            if (other != who) {
                other.outbound().sendEphemeral(note);
            }
        }
    }

    private ArrayNode describeMembers(String room) {
        ArrayNode arr = Json.mapper().createArrayNode();
        members.getOrDefault(room, Map.of()).keySet().forEach(c -> arr.add(describe(c)));
        return arr;
    }

    private static ObjectNode describe(Connection c) {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("connectionId", c.id());
        m.put("identity", c.identity());
        m.put("name", c.name());
        return m;
    }

    private static ObjectNode toJson(Store.Stored s) {
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("room", s.room());
        m.put("offset", s.offset());
        m.put("epoch", s.epoch());
        m.put("id", s.id());
        m.put("from", s.from());
        if (s.text() != null) {
            m.put("text", s.text());
        }
        if (s.data() != null && !s.data().isMissingNode()) {
            m.set("data", s.data());
        }
        m.put("ts", s.ts());
        return m;
    }

    private void rateLimit(String identity) {
        if (settings.publishesPerMinute() <= 0) {
            return;
        }
        TokenBucket b = rates.computeIfAbsent(
                identity,
                k -> new TokenBucket(
                        settings.publishesPerMinute() / 60.0, Math.max(1, settings.publishesPerMinute()), ticker));
        long wait = b.tryTake();
        if (wait > 0) {
            var data = HubException.reasonData("rate_limited");
            data.put("retryAfterMs", wait);
            data.put("limitPerMinute", settings.publishesPerMinute());
            throw HubException.withData(
                    ErrorCode.RATE_LIMITED,
                    identity + " may publish " + settings.publishesPerMinute()
                            + " messages a minute (rooms.publishesPerMinute); retry in " + wait + " ms",
                    data);
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        tasks.add(() -> {});
        try {
            sequencer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bus.close();
        store.close();
    }
}
