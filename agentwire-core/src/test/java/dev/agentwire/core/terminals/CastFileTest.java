package dev.agentwire.core.terminals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code output.cast} written by many threads at once, and closed while they write. */
class CastFileTest {

    /** Output that JSON must escape: quotes, a backslash, CR LF, an escape sequence, non-ASCII, a surrogate pair. */
    private static final String AWKWARD = " \"quoted\" \\ caf\u00e9 \ud83d\ude00 \u001b[31mred\u001b[0m\r\n";

    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** Every line of the file as JSON; fails naming the first line that is not whole JSON or not ended by \n. */
    private static List<JsonNode> lines(Path file) throws Exception {
        String text = Files.readString(file);
        assertThat(text).as("output.cast ends with a newline").endsWith("\n");
        List<JsonNode> out = new ArrayList<>();
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            try {
                out.add(Json.mapper().readTree(lines[i]));
            } catch (java.io.IOException e) {
                throw new AssertionError("line " + (i + 1) + " is not JSON: " + lines[i], e);
            }
        }
        return out;
    }

    @Test
    void concurrentOutputAndResizesLeaveOneWholeLineEachInEachWritersOrder() throws Exception {
        Path file = dir.resolve("output.cast");
        CastFile cast = CastFile.create("t", file, 80, 24, 1_700_000_000_123L, List.of("bash", "-l"), "shell");
        int writers = 8;
        int each = 2000;
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(threads.submit(() -> {
                go.await();
                for (int i = 0; i < each; i++) {
                    if (writer % 2 == 0) {
                        cast.output("w" + writer + ":" + i + AWKWARD);
                    } else {
                        cast.resize(writer, i + 1);
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (var f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        cast.close();

        List<JsonNode> lines = lines(file);
        JsonNode header = lines.get(0);
        assertThat(header.path("version").asInt()).isEqualTo(2);
        assertThat(header.path("width").asInt()).isEqualTo(80);
        assertThat(header.path("height").asInt()).isEqualTo(24);
        assertThat(header.path("timestamp").asLong()).isEqualTo(1_700_000_000L);
        assertThat(header.path("command").asText()).isEqualTo("bash -l");
        assertThat(header.path("title").asText()).isEqualTo("shell");
        assertThat(lines).hasSize(1 + writers * each);
        Map<Integer, Integer> next = new HashMap<>();
        double last = 0;
        for (JsonNode event : lines.subList(1, lines.size())) {
            assertThat(event.isArray() && event.size() == 3)
                    .as("[time, kind, text]: %s", event)
                    .isTrue();
            assertThat(event.get(0).asDouble()).as("time of %s", event).isGreaterThanOrEqualTo(last);
            last = event.get(0).asDouble();
            String data = event.get(2).asText();
            int writer;
            int i;
            if (event.get(1).asText().equals("o")) {
                assertThat(data).endsWith(AWKWARD);
                String[] wi =
                        data.substring(1, data.length() - AWKWARD.length()).split(":");
                writer = Integer.parseInt(wi[0]);
                i = Integer.parseInt(wi[1]);
            } else {
                assertThat(event.get(1).asText()).isEqualTo("r");
                String[] size = data.split("x");
                writer = Integer.parseInt(size[0]);
                i = Integer.parseInt(size[1]) - 1;
            }
            assertThat(i).as("writer %d's next event", writer).isEqualTo(next.getOrDefault(writer, 0));
            next.put(writer, i + 1);
        }
    }

    @Test
    void aCloseWhileOthersAppendNeverCutsALineAndLaterEventsAreDropped() throws Exception {
        for (int round = 0; round < 20; round++) {
            Path file = dir.resolve("output-" + round + ".cast");
            CastFile cast = CastFile.create("t", file, 80, 24, 0, List.of("sh"), "sh");
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch appended = new CountDownLatch(50);
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        cast.resize(1 + i % 100, 1 + i % 50);
                        cast.output("x" + AWKWARD);
                        appended.countDown();
                    }
                    return null;
                }));
            }
            assertThat(appended.await(10, TimeUnit.SECONDS)).as("appending").isTrue();
            cast.close(); // as the reader does when the process ends, while resizes still come
            String closedWith = Files.readString(file);
            stop.set(true);
            for (var f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(lines(file)).as("round %d", round).hasSizeGreaterThan(1);
            assertThat(Files.readString(file)).as("nothing after close").isEqualTo(closedWith);
        }
    }

    @Test
    void outputIsWrittenAsTheJsonStringJacksonReadsBack() throws Exception {
        StringBuilder all = new StringBuilder("quote \" backslash \\ slash / é 中 \ud83d\ude00 ");
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        all.append('\u007f').append("\u001b[31mred\u001b[0m\r\n");
        StringBuilder line = new StringBuilder();
        CastFile.appendJsonString(line, all.toString());
        assertThat(dev.agentwire.protocol.Json.mapper()
                        .readTree(line.toString())
                        .textValue())
                .isEqualTo(all.toString());
    }
}
