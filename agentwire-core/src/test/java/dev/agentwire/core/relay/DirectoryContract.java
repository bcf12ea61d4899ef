package dev.agentwire.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.agentwire.core.relay.Directory.Change;
import dev.agentwire.core.relay.Directory.Changes;
import dev.agentwire.core.relay.Directory.Entry;
import dev.agentwire.core.relay.Directory.Owner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Directory} does for the hub that uses it, without sockets: a subclass gives the directory (a
 * shared one runs the same tests against one of its hubs; what crosses hubs is its own suite's business).
 */
public abstract class DirectoryContract {

    /** A new, empty directory whose own hub is {@code hub}. */
    protected abstract Directory<String> newDirectory(String hub);

    protected final Directory<String> directory() {
        return directory;
    }

    private final Directory<String> directory = newDirectory("hub-a");

    private Entry<String> entry(String name, long connection, String value) {
        return new Entry<>(name, directory.owner(connection), value);
    }

    @Test
    public void ownersAreConnectionsOfThisHub() {
        assertThat(directory.hub()).isEqualTo("hub-a");
        assertThat(directory.owner(7)).isEqualTo(new Owner("hub-a", 7));
    }

    @Test
    public void anUnknownNameHasNoEntries() {
        assertThat(directory.lookup("nobody")).isEmpty();
        assertThat(directory.names()).isEmpty();
    }

    @Test
    public void entriesComeBackInRegistrationOrderAndOnlyUnderTheirName() {
        directory.register(entry("echo", 1, "first"));
        directory.register(entry("echo", 2, "second"));
        directory.register(entry("other", 1, "elsewhere"));

        assertThat(directory.lookup("echo"))
                .extracting(Entry::owner, Entry::value)
                .containsExactly(tuple(new Owner("hub-a", 1), "first"), tuple(new Owner("hub-a", 2), "second"));
        assertThat(directory.names()).containsExactly("echo", "other");
    }

    @Test
    public void registeringTheSameNameAndOwnerAgainReplacesTheEntryAndMovesItLast() {
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
    public void theSameConnectionIdOnAnotherHubIsAnotherOwner() {
        directory.register(entry("echo", 1, "here"));
        directory.register(new Entry<>("echo", new Owner("hub-b", 1), "there"));

        assertThat(directory.lookup("echo")).extracting(Entry::value).containsExactly("here", "there");
        assertThat(directory.unregister("echo", new Owner("hub-b", 1)))
                .contains(new Entry<>("echo", new Owner("hub-b", 1), "there"));
        assertThat(directory.lookup("echo")).extracting(Entry::value).containsExactly("here");
    }

    @Test
    public void unregisterRemovesOnlyThatOwnersEntryAndANameWithoutEntriesIsGone() {
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
    public void unregisterAllRemovesAnOwnersEntriesUnderEveryNameAndReturnsThemByName() {
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
    public void aLookupIsASnapshot() {
        directory.register(entry("echo", 1, "one"));
        List<Entry<String>> before = directory.lookup("echo");

        directory.register(entry("echo", 2, "two"));
        directory.unregister("echo", directory.owner(1));

        assertThat(before).extracting(Entry::value).containsExactly("one");
    }

    @Test
    public void listenersHearThisHubsChangesInOrderBeforeTheChangeReturns() {
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        directory.listen((change, e) -> heard.add(change + " " + e.name() + " " + e.value()));

        directory.register(entry("echo", 1, "one"));
        directory.register(entry("echo", 1, "one again"));
        directory.unregister("echo", directory.owner(1));
        directory.unregister("echo", directory.owner(1)); // nothing left: nothing to tell
        directory.register(entry("x", 2, "x2"));
        directory.unregisterAll(directory.owner(2));

        assertThat(heard)
                .containsExactly(
                        Change.REGISTERED + " echo one",
                        Change.REGISTERED + " echo one again",
                        Change.UNREGISTERED + " echo one again",
                        Change.REGISTERED + " x x2",
                        Change.UNREGISTERED + " x x2");
    }

    @Test
    public void theHubItselfIsAnOwnerNoConnectionIs() {
        assertThat(directory.self()).isEqualTo(new Owner("hub-a", Owner.HUB));
        assertThat(directory.self().isHub()).isTrue();
        assertThat(directory.owner(1).isHub()).isFalse();
    }

    @Test
    public void scanPagesThroughTheNamesUnderAPrefixInNameOrder() {
        directory.register(entry("s1/b", 1, "b"));
        directory.register(entry("s1/a", 1, "a"));
        directory.register(entry("s1/c", 2, "c"));
        directory.register(entry("s10/a", 1, "other prefix"));
        directory.register(entry("s0/z", 1, "before"));

        assertThat(directory.scan("s1/", "", 10)).extracting(Entry::value).containsExactly("a", "b", "c");
        assertThat(directory.scan("s1/", "", 2)).extracting(Entry::value).containsExactly("a", "b");
        assertThat(directory.scan("s1/", "b", 2))
                .as("after b")
                .extracting(Entry::value)
                .containsExactly("c");
        assertThat(directory.scan("s1/", "c", 2)).as("after the last").isEmpty();
        assertThat(directory.scan("s2/", "", 10)).isEmpty();
        assertThat(directory.scan("", "", 10)).as("every name").hasSize(5);
    }

    @Test
    public void updateSeesTheEntriesUnderItsPrefixAndMakesItsChangesAtOnce() {
        directory.register(entry("s1/a", 1, "a1"));
        directory.register(entry("s1/b", 2, "b2"));
        directory.register(entry("s2/a", 1, "elsewhere"));
        List<String> seen = new ArrayList<>();
        List<String> heard = new ArrayList<>();
        directory.listen((change, e) -> heard.add(change + " " + e.name() + " " + e.value()));

        Changes<String> made = directory.update("s1/", current -> {
            current.forEach(e -> seen.add(e.name()));
            Entry<String> b = current.get(1);
            return new Changes<>(List.of(entry("s1/b", 1, "b1"), entry("s1/c", 1, "c1")), List.of(b));
        });

        assertThat(seen).containsExactly("s1/a", "s1/b");
        assertThat(made.unregister()).containsExactly(entry("s1/b", 2, "b2"));
        assertThat(made.register()).extracting(Entry::value).containsExactly("b1", "c1");
        assertThat(directory.lookup("s1/b")).extracting(Entry::value).containsExactly("b1");
        assertThat(directory.scan("s1/", "", 10)).extracting(Entry::value).containsExactly("a1", "b1", "c1");
        assertThat(directory.lookup("s2/a")).extracting(Entry::value).containsExactly("elsewhere");
        assertThat(heard)
                .as("removals first, then registrations")
                .containsExactly("UNREGISTERED s1/b b2", "REGISTERED s1/b b1", "REGISTERED s1/c c1");
    }

    @Test
    public void aPlanThatThrowsChangesNothing() {
        directory.register(entry("s1/a", 1, "a1"));
        List<String> heard = new ArrayList<>();
        directory.listen((change, e) -> heard.add(change + " " + e.name()));

        assertThatThrownBy(() -> directory.update("s1/", current -> {
                    throw new IllegalStateException("too many");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("too many");

        assertThat(directory.scan("s1/", "", 10)).extracting(Entry::value).containsExactly("a1");
        assertThat(heard).isEmpty();
    }

    @Test
    public void aPlanMayNotChangeNamesOutsideItsPrefix() {
        directory.register(entry("s2/a", 1, "a1"));

        assertThatThrownBy(() -> directory.update(
                        "s1/",
                        current -> new Changes<>(
                                List.of(entry("s1/ok", 1, "ok"), entry("s2/b", 1, "outside")), List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s2/b");
        assertThatThrownBy(() ->
                        directory.update("s1/", current -> new Changes<>(List.of(), List.of(entry("s2/a", 1, "a1")))))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(directory.lookup("s1/ok")).as("nothing of a refused plan").isEmpty();
        assertThat(directory.lookup("s2/a")).hasSize(1);
    }

    @Test
    public void removingWhatIsNotThereIsLeftOutOfTheChangesMade() {
        directory.register(entry("s1/a", 1, "a1"));

        Changes<String> made = directory.update(
                "s1/", current -> new Changes<>(List.of(), List.of(entry("s1/a", 2, "x"), entry("s1/a", 1, "a1"))));

        assertThat(made.unregister()).containsExactly(entry("s1/a", 1, "a1"));
        assertThat(directory.names()).isEmpty();
    }

    @Test
    public void concurrentUpdatesKeepACountRule() throws Exception {
        // Eight threads each add 50 entries, one at a time, under a rule of at most 100: the check and the add are
        // one step, so the rule holds however they interleave.
        int limit = 100;
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            long owner = t + 1;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    String name = "s/" + owner + "-" + i;
                    try {
                        directory.update("s/", current -> {
                            if (current.size() >= limit) {
                                throw new IllegalStateException("full");
                            }
                            return new Changes<>(List.of(entry(name, owner, name)), List.of());
                        });
                    } catch (IllegalStateException full) {
                        // refused, as the rule says
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }

        assertThat(directory.scan("s/", "", 1000)).hasSize(limit);
    }
}
