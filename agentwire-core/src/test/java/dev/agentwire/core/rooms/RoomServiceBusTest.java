package dev.agentwire.core.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.agentwire.core.Connection;
import dev.agentwire.core.CoreSettings;
import dev.agentwire.core.HubCore;
import dev.agentwire.core.Peer;
import dev.agentwire.core.RecordingOutbound;
import dev.agentwire.core.Ticker;
import dev.agentwire.core.Transport;
import dev.agentwire.protocol.Json;
import dev.agentwire.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rooms deliver through their {@link RoomBus}: what they publish on it, follow on it, and take from it. */
class RoomServiceBusTest {

    /** A hub's bus that records what the rooms ask of it, and lets the test play another hub. */
    static final class RecordingBus implements RoomBus {
        final LocalRoomBus local = new LocalRoomBus();
        final List<Batch> published = new CopyOnWriteArrayList<>();
        final List<String> follows = new CopyOnWriteArrayList<>();
        final List<Listener> listeners = new CopyOnWriteArrayList<>();

        @Override
        public void subscribe(Listener listener) {
            listeners.add(listener);
            local.subscribe(listener);
        }

        @Override
        public void publish(Batch batch) {
            published.add(batch);
            local.publish(batch);
        }

        @Override
        public void follow(String room) {
            follows.add("+" + room);
        }

        @Override
        public void unfollow(String room) {
            follows.add("-" + room);
        }

        /** A batch another hub published, as a cluster's bus hands it over: on its own thread, no local sender. */
        void fromAnotherHub(Batch batch) throws InterruptedException {
            Thread t = new Thread(() -> listeners.forEach(l -> l.received(batch)), "other-hub");
            t.start();
            t.join();
        }

        @Override
        public void close() {
            local.close();
        }
    }

    /**
     * A store that hubs share, as Redis is shared: the test commits to it from its own thread, as another hub would,
     * while this hub's sequencer uses it.
     */
    static class SharedStore implements Store {
        final MemoryStore store = new MemoryStore();

        @Override
        public synchronized List<Stored> append(List<Append> batch) {
            return store.append(batch);
        }

        @Override
        public synchronized RoomState room(String room) {
            return store.room(room);
        }

        @Override
        public synchronized List<RoomState> rooms() {
            return store.rooms();
        }

        @Override
        public synchronized List<Stored> after(String room, long afterOffset, int limit) {
            return store.after(room, afterOffset, limit);
        }

        @Override
        public synchronized List<Stored> before(String room, long beforeOffset, int limit) {
            return store.before(room, beforeOffset, limit);
        }

        @Override
        public synchronized void trim(String room, int maxMessages, long minTs) {
            store.trim(room, maxMessages, minTs);
        }

        @Override
        public void close() {}

        /** Another hub's publish: stored; its bus message is the test's to hand over, late or never. */
        synchronized Stored commitElsewhere(String room, String text) {
            return store.append(List.of(new Append(room, "id-" + text, "carol@other", text, null, 1, Optional.empty())))
                    .get(0);
        }
    }

    private final RecordingBus bus = new RecordingBus();
    private final SharedStore store = new SharedStore();
    private final HubCore core = HubCore.builder(
                    CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
            .feature(new RoomsFeature(store, bus, RoomSettings.defaults()))
            .build();
    private final RoomService rooms = core.require(RoomService.class);

    @AfterEach
    void close() {
        core.close();
    }

    private record Member(Connection connection, RecordingOutbound out) {
        List<String> messages() {
            return out.sent.stream()
                    .filter(m ->
                            m instanceof Message.Notification n && n.method().equals("rooms/message"))
                    .map(m -> ((Message.Notification) m).params().path("text").asText())
                    .toList();
        }
    }

    private Member connect() {
        RecordingOutbound out = new RecordingOutbound();
        Peer peer = new Peer(
                Transport.UNIX,
                "/tmp/s",
                OptionalInt.of(1000),
                List.of(),
                OptionalLong.of(42),
                Optional.of("/usr/bin/python3"));
        return new Member(core.open(peer, out), out);
    }

    private static <T> T done(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aPublishGoesOnTheBusWithItsSenderAndMembersGetWhatTheBusHandsBack() throws Exception {
        Member alice = connect();
        Member bob = connect();
        done(rooms.join(alice.connection(), "r", Optional.empty(), 0, false));
        done(rooms.join(bob.connection(), "r", Optional.empty(), 0, false));

        done(rooms.publish(alice.connection(), "r", "hello", null, Optional.of("m1")));
        done(rooms.publish(alice.connection(), "r", "hello", null, Optional.of("m1"))); // a retry: a duplicate

        assertThat(bus.published).as("batches on the bus").hasSize(1);
        RoomBus.Batch b = bus.published.get(0);
        assertThat(b.room()).isEqualTo("r");
        assertThat(b.entries())
                .extracting(e -> e.message().text(), RoomBus.Entry::senderId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(
                        "hello", alice.connection().id()));
        assertThat(bob.messages()).as("bob's messages").containsExactly("hello");
        assertThat(alice.messages()).as("alice's own, without echo").isEmpty();
    }

    @Test
    void aBatchFromAnotherHubReachesEveryMemberHereInOrder() throws Exception {
        Member alice = connect();
        Member bob = connect();
        done(rooms.join(alice.connection(), "r", Optional.empty(), 0, false));
        done(rooms.join(bob.connection(), "r", Optional.empty(), 0, true));

        bus.fromAnotherHub(new RoomBus.Batch("r", List.of(entry("r", 1, "one"), entry("r", 2, "two"))));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(alice.messages()).as("alice's messages").containsExactly("one", "two");
            assertThat(bob.messages()).as("bob's messages").containsExactly("one", "two");
        });
    }

    @Test
    void theRoomIsFollowedFromTheFirstMemberHereToTheLast() throws Exception {
        Member alice = connect();
        Member bob = connect();

        done(rooms.join(alice.connection(), "r", Optional.empty(), 0, false));
        done(rooms.join(bob.connection(), "r", Optional.empty(), 0, false));
        done(rooms.join(alice.connection(), "r", Optional.empty(), 0, true)); // again: still one member
        done(rooms.leave(alice.connection(), "r"));
        assertThat(bus.follows).as("follows while bob stays").containsExactly("+r");

        bob.connection().closed();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(bus.follows)
                        .as("follows after the last member closed")
                        .containsExactly("+r", "-r"));
    }

    @Test
    void aTrimThatFailsDoesNotStopTheRooms() throws Exception {
        SharedStore failing = new SharedStore() {
            @Override
            public synchronized void trim(String room, int maxMessages, long minTs) {
                throw new IllegalStateException("Redis did not answer within 4000 ms");
            }
        };
        try (HubCore other = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
                .feature(new RoomsFeature(failing, new LocalRoomBus(), RoomHubs.settings(10, 3600, 0, 100)))
                .build()) {
            RoomService service = other.require(RoomService.class);
            Peer peer = new Peer(
                    Transport.UNIX, "/tmp/s", OptionalInt.of(1000), List.of(), OptionalLong.of(42), Optional.empty());
            Connection c = other.open(peer, new RecordingOutbound());
            for (int i = 0; i < 150; i++) { // a trim is due after 100 appends
                done(service.publish(c, "r", "m" + i, null, Optional.empty()));
            }

            assertThat(done(service.publish(c, "r", "after the failed trim", null, Optional.empty()))
                            .path("offset")
                            .asLong())
                    .isEqualTo(151);
        }
    }

    @Test
    void aGapThatCannotBeFilledNowIsFilledLaterNotSkipped() throws Exception {
        // Reads of the store fail from the second one while armed: a batch whose first gap fills and whose second
        // does not must not leave the first gap's messages behind.
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger(-1);
        SharedStore flaky = new SharedStore() {
            @Override
            public synchronized List<Stored> after(String room, long afterOffset, int limit) {
                if (reads.get() >= 0 && reads.incrementAndGet() >= 2) {
                    throw new IllegalStateException("Redis did not answer");
                }
                return super.after(room, afterOffset, limit);
            }
        };
        RecordingBus otherBus = new RecordingBus();
        try (HubCore other = HubCore.builder(CoreSettings.defaults("secret-token-secret-token-secret"), Ticker.SYSTEM)
                .feature(new RoomsFeature(flaky, otherBus, RoomSettings.defaults()))
                .build()) {
            RoomService service = other.require(RoomService.class);
            RecordingOutbound out = new RecordingOutbound();
            Peer peer = new Peer(
                    Transport.UNIX, "/tmp/s", OptionalInt.of(1000), List.of(), OptionalLong.of(42), Optional.empty());
            Member bob = new Member(other.open(peer, out), out);
            done(service.join(bob.connection(), "r", Optional.empty(), 0, false));
            flaky.commitElsewhere("r", "one"); // the bus lost it
            Store.Stored two = flaky.commitElsewhere("r", "two");
            flaky.commitElsewhere("r", "three"); // lost too
            Store.Stored four = flaky.commitElsewhere("r", "four");

            reads.set(0);
            otherBus.fromAnotherHub(new RoomBus.Batch("r", List.of(fromElsewhere(two), fromElsewhere(four))));
            done(service.members("r"));
            reads.set(-1);
            service.catchUp();
            done(service.members("r"));

            assertThat(bob.messages()).containsExactly("one", "two", "three", "four");
        }
    }

    private static RoomBus.Entry fromElsewhere(Store.Stored s) {
        return new RoomBus.Entry(s, RoomBus.NO_SENDER);
    }

    @Test
    void aGapInTheBusIsFilledFromTheStoreBeforeTheMessageAfterIt() throws Exception {
        Member bob = connect();
        done(rooms.join(bob.connection(), "r", Optional.empty(), 0, false));
        store.commitElsewhere("r", "one"); // its bus message is lost
        Store.Stored two = store.commitElsewhere("r", "two");

        bus.fromAnotherHub(new RoomBus.Batch("r", List.of(fromElsewhere(two))));

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(bob.messages()).containsExactly("one", "two"));
    }

    @Test
    void anOffsetAlreadyDeliveredIsSkipped() throws Exception {
        Member bob = connect();
        done(rooms.join(bob.connection(), "r", Optional.empty(), 0, false));
        Store.Stored one = store.commitElsewhere("r", "one");
        Store.Stored two = store.commitElsewhere("r", "two");

        bus.fromAnotherHub(new RoomBus.Batch("r", List.of(fromElsewhere(one), fromElsewhere(two))));
        bus.fromAnotherHub(new RoomBus.Batch("r", List.of(fromElsewhere(one)))); // late, or twice
        done(rooms.members("r")); // the sequencer has handled both

        assertThat(bob.messages()).containsExactly("one", "two");
    }

    @Test
    void aLocalPublishAfterAnotherHubsUnheardOneDeliversThatOneFirstAndItsLateBusMessageIsSkipped() throws Exception {
        // Hub B commits offset 1; its bus message is still on the way when this hub commits offset 2.
        Member alice = connect();
        Member bob = connect();
        done(rooms.join(alice.connection(), "r", Optional.empty(), 0, false));
        done(rooms.join(bob.connection(), "r", Optional.empty(), 0, false));
        Store.Stored theirs = store.commitElsewhere("r", "theirs");

        done(rooms.publish(alice.connection(), "r", "mine", null, Optional.empty()));
        bus.fromAnotherHub(new RoomBus.Batch("r", List.of(fromElsewhere(theirs))));
        done(rooms.members("r"));

        assertThat(bob.messages()).containsExactly("theirs", "mine");
        assertThat(alice.messages()).as("alice's, without her own").containsExactly("theirs");
    }

    @Test
    void catchUpDeliversWhatTheStoreHasAndTheBusNeverBrought() throws Exception {
        Member bob = connect();
        done(rooms.join(bob.connection(), "r", Optional.empty(), 0, false));
        store.commitElsewhere("r", "one");
        store.commitElsewhere("r", "two");

        rooms.catchUp();
        done(rooms.members("r"));

        assertThat(bob.messages()).containsExactly("one", "two");
    }

    @Test
    void messagesBeforeTheFirstJoinAreHistoryNotDelivered() throws Exception {
        Store.Stored before = store.commitElsewhere("r", "before");
        Member bob = connect();
        done(rooms.join(bob.connection(), "r", Optional.empty(), 0, false));

        bus.fromAnotherHub(new RoomBus.Batch("r", List.of(fromElsewhere(before))));
        rooms.catchUp();
        done(rooms.members("r"));

        assertThat(bob.messages()).isEmpty();
    }

    private static RoomBus.Entry entry(String room, long offset, String text) {
        return new RoomBus.Entry(
                new Store.Stored(
                        room,
                        offset,
                        9,
                        "x" + offset,
                        "carol@other",
                        text,
                        Json.mapper().missingNode(),
                        1,
                        false),
                RoomBus.NO_SENDER);
    }
}
