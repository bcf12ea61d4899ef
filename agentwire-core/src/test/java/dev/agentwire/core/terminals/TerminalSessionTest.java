package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.core.HubException;
import dev.agentwire.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
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
                pool,
                false);
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

    /**
     * output.cast (asciicast v2) under load: the reader appends output while other threads resize, and the process
     * exits while they still do. Every line must be one whole JSON value: the header, then
     * {@code [seconds, "o" | "r", text]} with non-decreasing times; the output events must add up to what the
     * process printed, one resize event per resize made while it ran, and the file must end with a newline.
     */
    @RepeatedTest(5)
    void outputCastHasOneWholeLinePerEventUnderConcurrentOutputAndResizes() throws Exception {
        FakePty pty = new FakePty();
        TerminalSession s = session(80, 24);
        s.start(pty.launcher(), Map.of());
        int resizers = 4;
        ExecutorService threads = Executors.newFixedThreadPool(resizers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            AtomicBoolean exiting = new AtomicBoolean();
            List<Future<int[]>> counts = new ArrayList<>();
            for (int r = 0; r < resizers; r++) {
                counts.add(threads.submit(() -> {
                    go.await();
                    int before = 0;
                    int after = 0;
                    for (int i = 0; ; i++) {
                        try {
                            s.resize(40 + i % 80, 10 + i % 40);
                        } catch (HubException e) {
                            return new int[] {before, after};
                        }
                        // Done before the exit was even asked for, its event must be in the file.
                        if (exiting.get()) {
                            after++;
                        } else {
                            before++;
                        }
                    }
                }));
            }
            StringBuilder printed = new StringBuilder();
            go.countDown();
            for (int i = 0; i < 2000; i++) {
                String chunk = "line " + i + " \"quoted\" \\ caf\u00e9 \ud83d\ude00 \u001b[31mred\u001b[0m\r\n";
                printed.append(chunk);
                pty.print(chunk);
            }
            // The process ends while the resizes go on.
            exiting.set(true);
            pty.exit(0);
            assertThat(exited.await(30, TimeUnit.SECONDS)).as("exited in time").isTrue();
            int resizedWhileRunning = 0;
            int resizedAtTheEnd = 0;
            for (Future<int[]> f : counts) {
                int[] c = f.get(30, TimeUnit.SECONDS);
                resizedWhileRunning += c[0];
                resizedAtTheEnd += c[1];
            }

            String cast = Files.readString(control.resolve(ID).resolve("output.cast"));
            assertThat(cast).as("output.cast ends with a newline").endsWith("\n");
            String[] lines = cast.split("\n", -1);
            JsonNode header = Json.mapper().readTree(lines[0]);
            assertThat(header.path("version").asInt()).isEqualTo(2);
            assertThat(header.path("width").asInt()).isEqualTo(80);
            assertThat(header.path("height").asInt()).isEqualTo(24);
            StringBuilder output = new StringBuilder();
            int resizeEvents = 0;
            double last = 0;
            for (int i = 1; i < lines.length - 1; i++) {
                JsonNode event;
                try {
                    event = Json.mapper().readTree(lines[i]);
                } catch (java.io.IOException e) {
                    throw new AssertionError("line " + (i + 1) + " of output.cast is not JSON: " + lines[i], e);
                }
                assertThat(event.isArray() && event.size() == 3)
                        .as("line %d is [time, kind, text]: %s", i + 1, lines[i])
                        .isTrue();
                assertThat(event.get(0).asDouble()).as("time of line %d", i + 1).isGreaterThanOrEqualTo(last);
                last = event.get(0).asDouble();
                switch (event.get(1).asText()) {
                    case "o" -> output.append(event.get(2).asText());
                    case "r" -> {
                        assertThat(event.get(2).asText()).matches("\\d+x\\d+");
                        resizeEvents++;
                    }
                    default -> throw new AssertionError("line " + (i + 1) + " has kind " + event.get(1));
                }
            }
            assertThat(output.toString()).as("the output events").isEqualTo(printed.toString());
            assertThat(resizeEvents)
                    .as(
                            "resize events (%d resizes while running, %d as it exited)",
                            resizedWhileRunning, resizedAtTheEnd)
                    .isBetween(resizedWhileRunning, resizedWhileRunning + resizedAtTheEnd);
        } finally {
            threads.shutdownNow();
        }
    }
}
