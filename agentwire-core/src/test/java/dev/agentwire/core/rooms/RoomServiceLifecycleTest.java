package dev.agentwire.core.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentwire.core.Ticker;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The rooms' sequencer thread runs from {@code start()} to {@code close()}, never from the constructor. */
class RoomServiceLifecycleTest {

    private static Set<Thread> sequencers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("aw-rooms"))
                .collect(Collectors.toSet());
    }

    @Test
    void theSequencerStartsWithStartAndEndsWithClose() throws Exception {
        Set<Thread> before = sequencers();

        RoomService rooms = new RoomService(new MemoryStore(), RoomSettings.defaults(), Ticker.SYSTEM);

        assertThat(sequencers()).as("aw-rooms threads after the constructor").isEqualTo(before);
        CompletableFuture<?> early = rooms.history("r", Optional.empty(), Optional.empty(), 10);
        assertThat(early)
                .as("a call before start")
                .failsWithin(5, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(IllegalStateException.class)
                .withMessageContaining("not started");

        rooms.start();

        assertThat(sequencers()).hasSize(before.size() + 1);
        assertThat(rooms.history("r", Optional.empty(), Optional.empty(), 10)
                        .get(5, TimeUnit.SECONDS)
                        .path("room")
                        .asText())
                .isEqualTo("r");

        rooms.close();

        assertThat(sequencers()).as("aw-rooms threads after close").isEqualTo(before);
    }
}
