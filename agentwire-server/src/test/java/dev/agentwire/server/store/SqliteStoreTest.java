package dev.agentwire.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentwire.core.rooms.Store.Append;
import dev.agentwire.core.rooms.Store.Stored;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite room store's group commit: offsets, idempotency by client message id, and a batch that fails. */
class SqliteStoreTest {

    @TempDir
    Path dir;

    private SqliteStore store;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir.resolve("hub.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Append message(String room, String text, String clientId) {
        return new Append(room, "id-" + text, "uid:1000", text, null, 1L, Optional.ofNullable(clientId));
    }

    private static List<String> texts(List<Stored> stored) {
        return stored.stream().map(Stored::text).toList();
    }

    @Test
    void aBatchGetsConsecutiveOffsetsPerRoomInBatchOrder() {
        List<Stored> out = store.append(List.of(
                message("a", "a1", null), message("b", "b1", "x"), message("a", "a2", "y"), message("b", "b2", null)));

        assertThat(out)
                .extracting(Stored::room, Stored::offset, Stored::text, Stored::duplicate)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", 1L, "a1", false),
                        org.assertj.core.groups.Tuple.tuple("b", 1L, "b1", false),
                        org.assertj.core.groups.Tuple.tuple("a", 2L, "a2", false),
                        org.assertj.core.groups.Tuple.tuple("b", 2L, "b2", false));
        assertThat(texts(store.after("a", 0, 10))).containsExactly("a1", "a2");
        assertThat(store.room("b").lastOffset()).isEqualTo(2);
    }

    @Test
    void aClientMessageIdSeenInAnEarlierBatchIsADuplicateWithItsFirstOffset() {
        // More ids than one lookup takes, from two senders, so that every chunk and group is looked up.
        List<Append> first = new ArrayList<>();
        IntStream.rangeClosed(1, 150).forEach(i -> first.add(message("r", "m" + i, "c" + i)));
        first.add(new Append("r", "id-other", "uid:2000", "other", null, 1L, Optional.of("c1")));
        store.append(first);

        List<Append> again = new ArrayList<>();
        IntStream.rangeClosed(1, 150).forEach(i -> again.add(message("r", "retry" + i, "c" + i)));
        again.add(message("r", "new", "c151"));
        List<Stored> out = store.append(again);

        assertThat(out.subList(0, 150))
                .allSatisfy(s -> assertThat(s.duplicate()).isTrue());
        assertThat(out.subList(0, 150))
                .extracting(Stored::offset)
                .containsExactlyElementsOf(
                        IntStream.rangeClosed(1, 150).mapToObj(i -> (long) i).toList());
        assertThat(out.get(0).text()).as("the first message, not the retry").isEqualTo("m1");
        assertThat(out.get(0).id()).isEqualTo("id-m1");
        assertThat(out.get(150).duplicate()).isFalse();
        assertThat(out.get(150).offset())
                .as("after the other sender's c1 at 151")
                .isEqualTo(152);
        assertThat(store.after("r", 0, 1000)).hasSize(152);
    }

    @Test
    void aClientMessageIdTwiceInOneBatchIsStoredOnce() {
        List<Stored> out = store.append(List.of(message("r", "first", "c"), message("r", "retry", "c")));

        assertThat(out.get(1).duplicate()).isTrue();
        assertThat(out.get(1).offset()).isEqualTo(out.get(0).offset());
        assertThat(out.get(1).text()).isEqualTo("first");
        assertThat(texts(store.after("r", 0, 10))).containsExactly("first");
    }

    @Test
    void aBatchThatFailsStoresNothingAndTheNextOneTakesItsOffsets() throws Exception {
        store.append(List.of(message("r", "one", null)));
        // A row the store does not know of takes offset 3: the batch's second message collides with it.
        String url = "jdbc:sqlite:" + dir.resolve("hub.db");
        try (Connection other = DriverManager.getConnection(url);
                Statement s = other.createStatement()) {
            s.executeUpdate("INSERT INTO messages (room, offset, id, sender, text, ts) VALUES"
                    + " ('r', 3, 'x', 'uid:1', 'in the way', 1)");
        }

        assertThatThrownBy(() -> store.append(List.of(message("r", "two", "c2"), message("r", "three", "c3"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("storing 2 messages failed");
        assertThat(texts(store.after("r", 0, 10))).containsExactly("one", "in the way");
        assertThat(store.room("r").lastOffset()).isEqualTo(1);

        try (Connection other = DriverManager.getConnection(url);
                Statement s = other.createStatement()) {
            s.executeUpdate("DELETE FROM messages WHERE id='x'");
        }
        List<Stored> out = store.append(List.of(message("r", "two", "c2")));

        assertThat(out.get(0).offset()).isEqualTo(2);
        assertThat(out.get(0).duplicate())
                .as("the failed batch left no trace of c2")
                .isFalse();
        assertThat(texts(store.after("r", 0, 10))).containsExactly("one", "two");

        store.close();
        store = SqliteStore.open(dir.resolve("hub.db"));
        assertThat(store.room("r").lastOffset()).isEqualTo(2);
        assertThat(texts(store.after("r", 0, 10))).containsExactly("one", "two");
    }
}
