package dev.agentwire.core.calls;

import java.util.List;

/**
 * Where the call log is kept (the server's is a table in {@code hub.db}). Its methods block: the {@link CallWriter}
 * calls them from its own threads, never from an event loop. An implementation is used by one thread at a time or
 * is thread safe.
 */
public interface CallStore extends AutoCloseable {

    /** Stores {@code records} (their ids are 0) in one transaction; the same records under the ids they got. */
    List<CallRecord> insert(List<CallRecord> records);

    /**
     * Deletes those that started before {@code minAt}, then all but the newest {@code maxRows} records, then the
     * oldest until the rest take at most {@code maxBytes} (of their text); how many.
     */
    int prune(long maxRows, long minAt, long maxBytes);

    /** The records {@code query} selects, newest first. */
    List<CallRecord> list(CallQuery query);

    @Override
    void close();
}
