package dev.agentwire.core;

import dev.agentwire.protocol.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link Outbound} that records what the core sends, for tests without a transport. Thread safe. */
public final class RecordingOutbound implements Outbound {

    public final List<Message> sent = new CopyOnWriteArrayList<>();
    public final List<List<Message>> batches = new CopyOnWriteArrayList<>();
    public volatile boolean closed;

    @Override
    public void send(Message message) {
        sent.add(message);
    }

    @Override
    public void sendBatch(List<Message> messages) {
        batches.add(messages);
    }

    @Override
    public void sendAndClose(Message message) {
        sent.add(message);
        closed = true;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public long pendingBytes() {
        return 0;
    }
}
