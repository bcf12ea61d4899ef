package dev.agentwire.core.rooms;

/** {@link LocalRoomBus} keeps the {@link RoomBus} contract. */
class LocalRoomBusTest extends RoomBusContract {

    @Override
    protected RoomBus newBus() {
        return new LocalRoomBus();
    }
}
