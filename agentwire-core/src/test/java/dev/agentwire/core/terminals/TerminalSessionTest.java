package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One session over a {@link FakePty}: what its constructor does, what {@code start} does. */
class TerminalSessionTest {

    static final String ID = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path control;

    private final java.util.concurrent.ExecutorService pool = Executors.newCachedThreadPool();
    final CountDownLatch exited = new CountDownLatch(1);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    TerminalSession session(int cols, int rows) throws Exception {
        return new TerminalSession(
                ID,
                "fake",
                List.of("fake"),
                control.toString(),
                cols,
                rows,
                control.resolve(ID),
                1 << 16,
                new TerminalSession.Listener() {
                    @Override
                    public void bell(TerminalSession s) {}

                    @Override
                    public void commandEnded(TerminalSession s, int exitCode, long durationMs) {}

                    @Override
                    public void title(TerminalSession s) {}

                    @Override
                    public void exited(TerminalSession s) {
                        exited.countDown();
                    }
                },
                new TerminalWaits.Settings(4, TimeUnit.SECONDS.toNanos(1), pool, System::nanoTime),
                pool);
    }

    private static Set<String> hubThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("aw-term-"))
                .collect(Collectors.toSet());
    }

    @Test
    void theConstructorStartsNoThreadAndNoProcess() throws Exception {
        Set<String> before = hubThreads();
        FakePty pty = new FakePty();
        FakePty.Launcher launcher = pty.launcher();

        TerminalSession s = session(80, 24);

        assertThat(hubThreads()).as("terminal threads after the constructor").isEqualTo(before);
        assertThat(launcher.launches)
                .as("processes launched by the constructor")
                .hasValue(0);
        assertThat(s.isRunning()).isFalse();

        s.start(launcher, Map.of());

        assertThat(launcher.launches).hasValue(1);
        assertThat(s.isRunning()).isTrue();
        assertThat(hubThreads()).contains("aw-term-01234567", "aw-term-screen");
        assertThat(Files.readString(control.resolve(ID).resolve("session.json")))
                .contains("\"running\"");
        pty.exit(0);
        assertThat(exited.await(10, TimeUnit.SECONDS)).as("exited in time").isTrue();
    }

    @Test
    void startedItReadsTheProcessUntilItExits() throws Exception {
        FakePty pty = new FakePty();
        TerminalSession s = session(80, 24);
        s.start(pty.launcher(), Map.of());
        List<String> seen = new CopyOnWriteArrayList<>();
        List<Integer> codes = new CopyOnWriteArrayList<>();
        s.subscribe(new TerminalSink() {
            @Override
            public void output(String text) {
                seen.add(text);
            }

            @Override
            public void exited(int exitCode) {
                codes.add(exitCode);
            }
        });
        pty.print("hello");
        await().atMost(Duration.ofSeconds(10)).until(() -> String.join("", seen).equals("hello"));
        pty.exit(3);
        assertThat(exited.await(10, TimeUnit.SECONDS)).as("exited in time").isTrue();
        assertThat(codes).containsExactly(3);
        assertThat(s.exitCode()).isEqualTo(3);
    }
}
