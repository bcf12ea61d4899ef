/**
 * Rooms (the ElizaOS seed): members exchange messages in real time; every published message is durable
 * before it is acknowledged, carries a room offset, and can be recovered by a member that was away. One
 * sequencer thread owns the rooms: it stores publishes in batches (group commit), then acknowledges and
 * delivers them in offset order, and it runs joins between batches so that a joining member's history and
 * its live messages neither overlap nor leave a gap.
 *
 * <p>Two seams for a cluster: {@link dev.agentwire.core.rooms.Store} keeps history (offsets and epoch),
 * {@link dev.agentwire.core.rooms.RoomBus} carries what was just committed to the members (in process today,
 * pub/sub between hubs later).
 */
package dev.agentwire.core.rooms;
