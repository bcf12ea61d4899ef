package dev.agentwire.core.rooms;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Room history in memory: for embedders that need no durability, and for tests. Not thread safe. */
public final class MemoryStore implements Store {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, RoomState> rooms = new HashMap<>();
    private final Map<String, TreeMap<Long, Stored>> messages = new HashMap<>();

    @Override
    public List<Stored> append(List<Append> batch) {
        List<Stored> out = new ArrayList<>();
        for (Append a : batch) {
            RoomState s = room(a.room());
            TreeMap<Long, Stored> log = messages.computeIfAbsent(a.room(), r -> new TreeMap<>());
            Stored earlier = a.clientMessageId().isEmpty()
                    ? null
                    : log.values().stream()
                            .filter(m -> m.from().equals(a.from())
                                    && a.clientMessageId().get().equals(clientIds.get(key(m))))
                            .findFirst()
                            .orElse(null);
            if (earlier != null) {
                out.add(new Stored(
                        a.room(),
                        earlier.offset(),
                        s.epoch(),
                        earlier.id(),
                        earlier.from(),
                        earlier.text(),
                        earlier.data(),
                        earlier.ts(),
                        true));
                continue;
            }
            long offset = s.lastOffset() + 1;
            Stored m = new Stored(a.room(), offset, s.epoch(), a.id(), a.from(), a.text(), a.data(), a.ts(), false);
            log.put(offset, m);
            a.clientMessageId().ifPresent(id -> clientIds.put(key(m), id));
            rooms.put(a.room(), new RoomState(a.room(), s.epoch(), offset, s.firstOffset()));
            out.add(m);
        }
        return out;
    }

    private final Map<String, String> clientIds = new HashMap<>();

    private static String key(Stored m) {
        return m.room() + "#" + m.offset();
    }

    @Override
    public RoomState room(String room) {
        return rooms.computeIfAbsent(room, r -> new RoomState(r, RANDOM.nextLong() & MAX_EPOCH, 0, 1));
    }

    @Override
    public List<RoomState> rooms() {
        return List.copyOf(rooms.values());
    }

    @Override
    public List<Stored> after(String room, long afterOffset, int limit) {
        return messages.getOrDefault(room, new TreeMap<>()).tailMap(afterOffset, false).values().stream()
                .limit(limit)
                .toList();
    }

    @Override
    public List<Stored> before(String room, long beforeOffset, int limit) {
        List<Stored> desc =
                messages
                        .getOrDefault(room, new TreeMap<>())
                        .headMap(beforeOffset, false)
                        .descendingMap()
                        .values()
                        .stream()
                        .limit(limit)
                        .toList();
        List<Stored> out = new ArrayList<>(desc);
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public void trim(String room, int maxMessages, long minTs) {
        RoomState s = room(room);
        TreeMap<Long, Stored> log = messages.getOrDefault(room, new TreeMap<>());
        long keepFrom = Math.max(s.firstOffset(), s.lastOffset() - maxMessages + 1);
        log.headMap(keepFrom, false).clear();
        log.values().removeIf(m -> m.ts() < minTs);
        long first = log.isEmpty() ? s.lastOffset() + 1 : log.firstKey();
        rooms.put(room, new RoomState(room, s.epoch(), s.lastOffset(), first));
    }

    @Override
    public void close() {
        // nothing to release
    }
}
