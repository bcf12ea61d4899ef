package dev.agentwire.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LocalDirectory} keeps the {@link Directory} contract. */
class LocalDirectoryTest extends DirectoryContract {

    @Override
    protected Directory<String> newDirectory(String hub) {
        return new LocalDirectory<>(hub);
    }

    @Test
    void listenersRunOnTheChangingThread() {
        List<String> threads = new ArrayList<>();
        directory().listen((change, e) -> threads.add(Thread.currentThread().getName()));

        directory().register(new Directory.Entry<>("echo", directory().owner(1), "one"));
        directory().unregister("echo", directory().owner(1));

        String me = Thread.currentThread().getName();
        assertThat(threads).containsExactly(me, me);
    }
}
