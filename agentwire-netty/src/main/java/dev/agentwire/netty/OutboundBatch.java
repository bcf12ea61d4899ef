package dev.agentwire.netty;

import dev.agentwire.protocol.Message;
import java.util.List;

/** A batch of messages to write as one JSON array. */
public record OutboundBatch(List<Message> messages) {

    public OutboundBatch {
        messages = List.copyOf(messages);
    }
}
