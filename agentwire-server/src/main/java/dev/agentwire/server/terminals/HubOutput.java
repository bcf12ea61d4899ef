package dev.agentwire.server.terminals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentwire.protocol.Json;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A forwarder's output to one hub connection ({@code terminals/forward-output}, then {@code terminals/forward-exit}),
 * in order, written by a thread of its own, so that the forwarder never writes to the hub while it holds its
 * terminal's lock: a hub that stops reading cannot stall the terminal's recording or its {@code ipc.sock} viewers.
 * Flow control: past {@link #MAX_CHARS} characters waiting, {@link #awaitRoom} holds the forwarder's reader (and so
 * the program) while the hub keeps reading; a hub that reads nothing for {@link #STUCK_NANOS} is left (the
 * connection is closed), and the forwarder connects again and registers the terminal with the output it kept.
 */
final class HubOutput {

    /** Output that may wait for the hub before the program is held. */
    static final long MAX_CHARS = 1 << 20;

    /** How long a hub may read nothing while output waits before it is left. */
    static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final Object STOP = new Object();

    private final HubLink link;
    private final String id;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicLong chars = new AtomicLong();
    /** Notifications written so far (progress, for {@link #awaitRoom}). */
    private final AtomicLong written = new AtomicLong();

    private volatile boolean stopped;

    /** The exit code to tell, after the output before it. */
    private record Exit(int code, CompletableFuture<JsonNode> told) {}

    HubOutput(HubLink link, String id) {
        this.link = link;
        this.id = id;
    }

    /** Starts the writer thread; call after the registration is written, so that output comes after it. */
    void start() {
        Thread writer = new Thread(this::write, "aw-forwarder-hub-out");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues output; never blocks (call under the terminal's lock). */
    void output(String text) {
        chars.addAndGet(text.length());
        queue.add(text);
    }

    /**
     * Holds the caller (the forwarder's reader, never under the terminal's lock) while more than {@link #MAX_CHARS}
     * wait and the hub reads; leaves a hub that has read nothing for {@link #STUCK_NANOS}.
     */
    void awaitRoom() throws InterruptedException {
        long seen = written.get();
        long since = System.nanoTime();
        while (chars.get() > MAX_CHARS && !stopped) {
            Thread.sleep(5);
            long now = written.get();
            if (now != seen) {
                seen = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > STUCK_NANOS) {
                System.err.println("forwarder: the hub read nothing for " + TimeUnit.NANOSECONDS.toSeconds(STUCK_NANOS)
                        + " s while output waited; connecting again");
                link.close();
                stop();
            }
        }
    }

    /** Tells the exit code after the output queued before; completes with the hub's answer. */
    CompletableFuture<JsonNode> exit(int code) {
        CompletableFuture<JsonNode> told = new CompletableFuture<>();
        queue.add(new Exit(code, told));
        return told;
    }

    /** Ends the writer (the connection is gone). */
    void stop() {
        stopped = true;
        queue.clear();
        chars.set(0);
        queue.add(STOP);
    }

    private void write() {
        try {
            while (true) {
                Object next = queue.take();
                if (next == STOP) {
                    return;
                }
                if (next instanceof Exit exit) {
                    link.request(
                                    "terminals/forward-exit",
                                    Json.mapper()
                                            .createObjectNode()
                                            .put("id", id)
                                            .put("exitCode", exit.code()))
                            .whenComplete((answer, failure) -> {
                                if (failure != null) {
                                    exit.told().completeExceptionally(failure);
                                } else {
                                    exit.told().complete(answer);
                                }
                            });
                    continue;
                }
                String text = (String) next;
                link.notify(
                        "terminals/forward-output",
                        Json.mapper().createObjectNode().put("id", id).put("data", text));
                chars.addAndGet(-text.length());
                written.incrementAndGet();
            }
        } catch (IOException e) {
            link.close(); // the forwarder connects again and registers with what it kept
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
