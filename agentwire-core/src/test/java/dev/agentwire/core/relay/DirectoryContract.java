package dev.agentwire.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.agentwire.core.relay.Directory.Change;
import dev.agentwire.core.relay.Directory.Entry;
import dev.agentwire.core.relay.Directory.Owner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Directory} does for the hub that uses it, without sockets: a subclass gives the directory (a
 * shared one runs the same tests against one of its hubs; what crosses hubs is its own suite's business).
 */
abstract class DirectoryContract {

    /** A new, empty directory whose own hub is {@code hub}. */
    protected abstract Directory<String> newDirectory(String hub);

    private final Directory<String> directory = newDirectory("hub-a");

    private Entry<String> entry(String name, long connection, String value) {
        return new Entry<>(name, directory.owner(connection), value);
    }

    @Test
    void ownersAreConnectionsOfThisHub() {
        assertThat(directory.hub()).isEqualTo("hub-a");
        assertThat(directory.owner(7)).isEqualTo(new Owner("hub-a", 7));
    }

    @Test
    void anUnknownNameHasNoEntries() {
        assertThat(directory.lookup("nobody")).isEmpty();
        assertThat(directory.names()).isEmpty();
    }

    @Test
    void entriesComeBackInRegistrationOrderAndOnlyUnderTheirName() {
        directory.register(entry("echo", 1, "first"));
        directory.register(entry("echo", 2, "second"));
        directory.register(entry("other", 1, "elsewhere"));

        assertThat(directory.lookup("echo"))
                .extracting(Entry::owner, Entry::value)
                .containsExactly(tuple(new Owner("hub-a", 1), "first"), tuple(new Owner("hub-a", 2), "second"));
        assertThat(directory.names()).containsExactly("echo", "other");
    }

    @Test
    void registeringTheSameNameAndOwnerAgainReplacesTheEntryAndMovesItLast() {
        directory.register(entry("echo", 1, "old"));
        directory.register(entry("echo", 2, "two"));

        var replaced = directory.register(entry("echo", 1, "new"));

        assertThat(replaced).as("the entry replaced").contains(entry("echo", 1, "old"));
        assertThat(directory.lookup("echo")).extracting(Entry::value).containsExactly("two", "new");
        assertThat(directory.register(entry("echo", 3, "three")))
                .as("a new owner replaces nothing")
                .isEmpty();
    }

    @Test
    void theSameConnectionIdOnAnotherHubIsAnotherOwner() {
        directory.register(entry("echo", 1, "here"));
        directory.register(new Entry<>("echo", new Owner("hub-b", 1), "there"));

        assertThat(directory.lookup("echo")).extracting(Entry::value).containsExactly("here", "there");
        assertThat(directory.unregister("echo", new Owner("hub-b", 1)))
                .contains(new Entry<>("echo", new Owner("hub-b", 1), "there"));
        assertThat(directory.lookup("echo")).extracting(Entry::value).containsExactly("here");
    }

    @Test
    void unregisterRemovesOnlyThatOwnersEntryAndANameWithoutEntriesIsGone() {
        directory.register(entry("echo", 1, "one"));
        directory.register(entry("echo", 2, "two"));

        assertThat(directory.unregister("echo", directory.owner(3)))
                .as("not an owner")
                .isEmpty();
        assertThat(directory.unregister("nothing", directory.owner(1)))
                .as("not a name")
                .isEmpty();
        assertThat(directory.unregister("echo", directory.owner(1))).contains(entry("echo", 1, "one"));
        assertThat(directory.lookup("echo")).extracting(Entry::value).containsExactly("two");

        directory.unregister("echo", directory.owner(2));
        assertThat(directory.lookup("echo")).isEmpty();
        assertThat(directory.names()).isEmpty();
    }

    @Test
    void unregisterAllRemovesAnOwnersEntriesUnderEveryNameAndReturnsThemByName() {
        directory.register(entry("b", 1, "b1"));
        directory.register(entry("a", 1, "a1"));
        directory.register(entry("a", 2, "a2"));

        assertThat(directory.unregisterAll(directory.owner(1)))
                .extracting(Entry::name, Entry::value)
                .containsExactly(tuple("a", "a1"), tuple("b", "b1"));
        assertThat(directory.names()).containsExactly("a");
        assertThat(directory.unregisterAll(directory.owner(1))).as("again").isEmpty();
    }

    @Test
    void aLookupIsASnapshot() {
        directory.register(entry("echo", 1, "one"));
        List<Entry<String>> before = directory.lookup("echo");

        directory.register(entry("echo", 2, "two"));
        directory.unregister("echo", directory.owner(1));

        assertThat(before).extracting(Entry::value).containsExactly("one");
    }

    @Test
    void listenersHearThisHubsChangesInOrderOnTheChangingThread() {
        List<String> heard = new ArrayList<>();
        directory.listen((change, e) -> heard.add(change + " " + e.name() + " " + e.value() + " on "
                + Thread.currentThread().getName()));
        String me = Thread.currentThread().getName();

        directory.register(entry("echo", 1, "one"));
        directory.register(entry("echo", 1, "one again"));
        directory.unregister("echo", directory.owner(1));
        directory.unregister("echo", directory.owner(1)); // nothing left: nothing to tell
        directory.register(entry("x", 2, "x2"));
        directory.unregisterAll(directory.owner(2));

        assertThat(heard)
                .containsExactly(
                        Change.REGISTERED + " echo one on " + me,
                        Change.REGISTERED + " echo one again on " + me,
                        Change.UNREGISTERED + " echo one again on " + me,
                        Change.REGISTERED + " x x2 on " + me,
                        Change.UNREGISTERED + " x x2 on " + me);
    }
}
