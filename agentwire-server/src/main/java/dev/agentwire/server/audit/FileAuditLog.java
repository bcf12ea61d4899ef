package dev.agentwire.server.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentwire.core.audit.AuditLog;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code AGENTWIRE_HOME/audit.log}: one JSON object per line ({@code {"ts": ..., "event": ..., fields...}}), mode
 * 0600, rotated to {@code audit.log.1} when it passes {@code audit.maxBytes}. Refusals come in floods (a stranger
 * retrying), so each kind of record (event, reason and peer address) is written at most {@code perMinute} times a
 * minute; the rest are counted and said in one {@code suppressed} line when the minute is over.
 *
 * <p>{@link #record} only queues (it is called on event loops); one writer thread, started by {@link #start} and
 * ended by {@link #close}, appends. When the queue is full, records are dropped and counted, never waited for.
 */
public final class FileAuditLog implements AuditLog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileAuditLog.class);
    private static final ObjectNode STOP = Json.mapper().createObjectNode();

    private final Path file;
    private final long maxBytes;
    private final int perMinute;
    private final Clock clock;
    private final BlockingQueue<ObjectNode> queue = new ArrayBlockingQueue<>(10_000);
    private final AtomicLong dropped = new AtomicLong();
    /** Records of each kind this minute; touched by callers, so synchronized on itself. */
    private final Map<String, int[]> window = new HashMap<>();

    private long windowStartMillis;
    private Thread writer;

    public FileAuditLog(Path file, long maxBytes, int perMinute, Clock clock) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** Starts the writer thread. */
    public synchronized FileAuditLog start() {
        if (writer == null) {
            writer = new Thread(this::drain, "aw-audit");
            writer.setDaemon(true);
            writer.start();
        }
        return this;
    }

    @Override
    public void record(String event, ObjectNode fields) {
        long now = clock.millis();
        String kind = event + "|" + fields.path("reason").asText("") + "|" + host(fields);
        ObjectNode summary = null;
        synchronized (window) {
            if (now - windowStartMillis >= 60_000) {
                summary = summary();
                window.clear();
                windowStartMillis = now;
            }
            int[] n = window.computeIfAbsent(kind, k -> new int[1]);
            if (++n[0] > perMinute) {
                return;
            }
        }
        if (summary != null) {
            offer(summary);
        }
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("ts", Instant.ofEpochMilli(now).toString());
        line.put("event", event);
        line.setAll(fields);
        offer(line);
    }

    /** The {@code suppressed} line for the window that ends now, or null. Holds the window's lock. */
    private ObjectNode summary() {
        ObjectNode counts = Json.mapper().createObjectNode();
        window.forEach((kind, n) -> {
            if (n[0] > perMinute) {
                counts.put(kind, n[0] - perMinute);
            }
        });
        if (counts.isEmpty()) {
            return null;
        }
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("ts", Instant.ofEpochMilli(clock.millis()).toString());
        line.put("event", "suppressed");
        line.put("perMinute", perMinute);
        line.set("counts", counts);
        return line;
    }

    private static String host(ObjectNode fields) {
        String peer = fields.path("peer").asText("");
        int colon = peer.lastIndexOf(':');
        return colon > 0 && peer.indexOf(' ') < 0 ? peer.substring(0, colon) : peer.replaceAll(":\\d+$", "");
    }

    private void offer(ObjectNode line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        try {
            while (true) {
                ObjectNode line = queue.take();
                if (line == STOP) {
                    return;
                }
                write(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(ObjectNode line) {
        long lost = dropped.getAndSet(0);
        try {
            if (lost > 0) {
                line = line.deepCopy().put("droppedBefore", lost);
            }
            byte[] bytes = (Json.mapper().writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            rotateIfFull(bytes.length);
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (OutputStream out = Files.newOutputStream(
                    file, StandardOpenOption.APPEND, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                out.write(bytes);
            }
        } catch (IOException e) {
            log.warn("cannot write {}: {}", file, e.toString());
        }
    }

    private void rotateIfFull(int adding) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) + adding > maxBytes) {
            Files.move(
                    file,
                    file.resolveSibling(file.getFileName() + ".1"),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Writes what is queued (at most 5 s), then stops the writer. */
    @Override
    public synchronized void close() {
        if (writer != null) {
            queue.offer(STOP);
            try {
                writer.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writer = null;
        }
    }
}
