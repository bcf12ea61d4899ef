package dev.agentwire.core.calls;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes ended calls from the call path and writes them down on a thread of its own: {@link #offer} never blocks (a
 * full queue drops the call and counts it); the writer redacts the arguments, measures and digests the result,
 * stores a batch in one transaction, prunes to the retention limits, then tells {@code stored} of each record.
 * Reads ({@link #list}) run on a second thread, so that a slow query never delays the writer's queue.
 *
 * <p>Thread safe. {@link #start} starts the threads; {@link #close} drains what is queued (for up to 5 s) and
 * closes the store.
 */
public final class CallWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CallWriter.class);
    private static final int BATCH = 256;

    /** A call as it ended, before the writer makes a {@link CallRecord} of it. */
    public record Ended(
            long at,
            String kind,
            String session,
            String caller,
            String identity,
            String target,
            JsonNode arguments,
            long durationMs,
            Optional<JsonNode> result,
            Optional<CallRecord.Failure> error) {}

    /** How long records are kept: the newest {@code maxRows}, none older than {@code maxAgeMs}. */
    public record Retention(long maxRows, long maxAgeMs, long maxBytes) {}

    private final CallStore store;
    private final Redactor redactor;
    private final Retention retention;
    private final LongSupplier clock;
    private final Consumer<CallRecord> stored;
    /** A queued call with its {@link #weight}, counted once. */
    private record Queued(Ended call, long weight) {}

    private final BlockingQueue<Queued> queue;
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong pruned = new AtomicLong();
    private volatile boolean running;
    private Thread writer;
    private ExecutorService reader;

    /**
     * @param capacity the calls that may wait for the writer; more are dropped
     * @param clock epoch milliseconds, for the age limit
     * @param stored told of each record once stored, on the writer thread (must not block)
     */
    public CallWriter(
            CallStore store,
            Redactor redactor,
            Retention retention,
            int capacity,
            LongSupplier clock,
            Consumer<CallRecord> stored) {
        this.store = store;
        this.redactor = redactor;
        this.retention = retention;
        this.clock = clock;
        this.stored = stored;
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Starts the writer and reader threads. */
    public synchronized CallWriter start() {
        if (writer != null) {
            throw new IllegalStateException("the call log is already started");
        }
        running = true;
        writer = new Thread(this::run, "agentwire-calls-writer");
        writer.setDaemon(true);
        writer.start();
        reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "agentwire-calls-reader");
            t.setDaemon(true);
            return t;
        });
        return this;
    }

    /** The most the queued calls' arguments and results may weigh ({@link #weight}) before more are dropped. */
    static final long MAX_QUEUED_BYTES = 64L << 20;

    /** What the queued calls weigh. */
    private final AtomicLong queuedBytes = new AtomicLong();

    /**
     * Queues {@code call} for the writer; false (and counted as dropped) when the queue is full, by count or by
     * {@link #MAX_QUEUED_BYTES}. Never blocks.
     */
    public boolean offer(Ended call) {
        long w = weight(call);
        if (queuedBytes.addAndGet(w) <= MAX_QUEUED_BYTES && queue.offer(new Queued(call, w))) {
            return true;
        }
        queuedBytes.addAndGet(-w);
        dropped.incrementAndGet();
        return false;
    }

    /**
     * About what a call's arguments and result take: a result kept as text by its length, a tree by its strings and
     * a little for each node, counted without writing it (it is on the call path), up to the limit.
     */
    static long weight(Ended call) {
        return weight(call.arguments(), MAX_QUEUED_BYTES)
                + call.result().map(r -> weight(r, MAX_QUEUED_BYTES)).orElse(0L);
    }

    private static long weight(JsonNode n, long limit) {
        if (n == null) {
            return 0;
        }
        if (n instanceof dev.agentwire.protocol.RawJson raw) {
            return raw.sizeBytes();
        }
        if (n.isTextual()) {
            return 16 + 2L * n.textValue().length();
        }
        long w = 16;
        var values = n.elements();
        while (values.hasNext() && w <= limit) {
            w += 16 + weight(values.next(), limit - w);
        }
        var names = n.fieldNames();
        while (names.hasNext() && w <= limit) {
            w += 2L * names.next().length();
        }
        return w;
    }

    /** The records {@code query} selects, newest first, read on the reader thread. */
    public CompletableFuture<List<CallRecord>> list(CallQuery query) {
        return CompletableFuture.supplyAsync(() -> store.list(query), reader);
    }

    /** Records stored since start. */
    public long recorded() {
        return recorded.get();
    }

    /** Calls not recorded because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Calls not recorded because the store failed. */
    public long failed() {
        return failed.get();
    }

    /** Records deleted by the retention limits since start. */
    public long pruned() {
        return pruned.get();
    }

    /** Calls waiting for the writer. */
    public int queued() {
        return queue.size();
    }

    private void run() {
        List<Queued> taken = new ArrayList<>(BATCH);
        List<Ended> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Queued first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.add(first);
            } catch (InterruptedException e) {
                // close() wakes us: drain what is left, then stop
                running = false;
                continue;
            }
            queue.drainTo(taken, BATCH - 1);
            for (Queued q : taken) {
                queuedBytes.addAndGet(-q.weight());
                batch.add(q.call());
            }
            write(batch);
            taken.clear();
            batch.clear();
        }
    }

    private void write(List<Ended> batch) {
        List<CallRecord> records;
        try {
            List<CallRecord> made = new ArrayList<>(batch.size());
            for (Ended e : batch) {
                made.add(record(e));
            }
            records = store.insert(made);
            pruned.addAndGet(
                    store.prune(retention.maxRows(), clock.getAsLong() - retention.maxAgeMs(), retention.maxBytes()));
        } catch (RuntimeException e) {
            failed.addAndGet(batch.size());
            log.warn("the call log could not store {} calls: {}", batch.size(), e.toString());
            return;
        }
        recorded.addAndGet(records.size());
        for (CallRecord r : records) {
            try {
                stored.accept(r);
            } catch (RuntimeException e) {
                log.warn("telling of recorded call {} failed: {}", r.id(), e.toString());
            }
        }
    }

    private CallRecord record(Ended e) {
        Redactor.Kept kept = redactor.keep(e.arguments());
        long bytes = e.result()
                .map(r -> (long) r.toString().getBytes(StandardCharsets.UTF_8).length)
                .orElse(0L);
        return new CallRecord(
                0,
                e.at(),
                e.kind(),
                e.session(),
                e.caller(),
                e.identity(),
                e.target(),
                kept.arguments(),
                kept.redacted(),
                kept.truncated(),
                e.durationMs(),
                bytes,
                e.result().map(ResultDigest::of),
                e.error());
    }

    @Override
    public void close() {
        Thread w;
        synchronized (this) {
            w = writer;
            running = false;
        }
        try {
            if (w != null) {
                w.join(5_000);
                if (w.isAlive()) {
                    w.interrupt();
                    w.join(1_000);
                }
            }
            if (reader != null) {
                reader.shutdown();
                reader.awaitTermination(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            store.close();
        }
    }
}
