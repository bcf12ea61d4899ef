package dev.agentwire.core.rooms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.TestPeer;
import dev.agentwire.core.Ticker;
import java.util.List;

/** Hubs with only the rooms feature, and the calls the rooms tests make. */
final class RoomHubs {

    private RoomHubs() {}

    static HubCore hub(Store store, RoomSettings settings, Ticker ticker) {
        return HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), ticker)
                .feature(new RoomsFeature(store, settings))
                .build();
    }

    /** The defaults with other retention, rate and recovery limits. */
    static RoomSettings settings(int maxMessages, long maxAgeSeconds, int publishesPerMinute, int maxRecover) {
        RoomSettings d = RoomSettings.defaults();
        return new RoomSettings(
                maxMessages,
                maxAgeSeconds,
                d.maxTextBytes(),
                d.maxRoomsPerConnection(),
                publishesPerMinute,
                maxRecover,
                List.of());
    }

    static JsonNode join(TestPeer p, String room) {
        return p.call("rooms/join", "{\"room\":\"" + room + "\"}");
    }

    /** Sends a publish without waiting for its ack; the request id. */
    static long publish(TestPeer p, String room, String text) {
        return p.send("rooms/publish", "{\"room\":\"" + room + "\",\"text\":\"" + text + "\"}");
    }

    static JsonNode history(TestPeer p, String room) {
        return p.call("rooms/history", "{\"room\":\"" + room + "\",\"limit\":10000}");
    }

    /** The {@code offset} of each message in {@code messages}, in order. */
    static List<Long> offsets(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("offset").asLong()).toList();
    }

    static List<Long> offsets(JsonNode messages) {
        List<JsonNode> list = new java.util.ArrayList<>();
        messages.forEach(list::add);
        return offsets(list);
    }

    /** {@code from..to} inclusive. */
    static List<Long> range(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to).boxed().toList();
    }
}
