package dev.agentwire.core.rooms;

import dev.agentwire.core.Feature;
import dev.agentwire.core.HubContext;
import java.util.concurrent.TimeUnit;

/**
 * Rooms: ordered, durable group messaging ({@code rooms/*}), kept in a {@link Store} and delivered through a
 * {@link RoomBus}. Provides {@link RoomService}.
 */
public final class RoomsFeature implements Feature {

    private final Store store;
    private final RoomBus bus;
    private final RoomSettings settings;

    /** Rooms of one hub: delivered in process ({@link LocalRoomBus}). */
    public RoomsFeature(Store store, RoomSettings settings) {
        this(store, new LocalRoomBus(), settings);
    }

    /** Rooms whose messages go through {@code bus} (another hub's members too, when the bus is shared). */
    public RoomsFeature(Store store, RoomBus bus, RoomSettings settings) {
        this.store = store;
        this.bus = bus;
        this.settings = settings;
    }

    /** Rooms kept in memory, with the default settings (tests, embedders without durability). */
    public static RoomsFeature inMemory() {
        return new RoomsFeature(new MemoryStore(), RoomSettings.defaults());
    }

    @Override
    public void install(HubContext hub) {
        RoomService rooms = new RoomService(store, bus, settings, hub.ticker());
        rooms.start();
        RoomMethods.register(hub.registry(), rooms);
        hub.onClosed(rooms::connectionClosed);
        hub.describeConnections((c, out) -> rooms.roomsOf(c).forEach(out.putArray("rooms")::add));
        hub.timers().scheduleWithFixedDelay(rooms::trimAll, 1, 1, TimeUnit.MINUTES);
        bus.catchUpEvery()
                .ifPresent(every -> hub.timers()
                        .scheduleWithFixedDelay(
                                rooms::catchUp, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS));
        hub.onStop(rooms::close);
        hub.provide(RoomService.class, rooms);
    }
}
