package dev.agentwire.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Encoded messages that go to many peers together (a room's group commit), with the forms transports make of
 * them: a transport frames the batch once per wire format and every peer on that format shares the bytes.
 *
 * <p>Not thread safe: the thread that sends the batch to its peers asks for the forms, then {@link #release}s
 * the batch once every peer has it (each peer keeps its own reference to what it queued).
 */
public final class EncodedBatch {

    private final List<Encoded> messages;
    private final Map<Object, Object> forms = new HashMap<>(4);
    private final List<Runnable> releases = new ArrayList<>(4);

    public EncodedBatch(List<Encoded> messages) {
        this.messages = List.copyOf(messages);
    }

    public List<Encoded> messages() {
        return messages;
    }

    /** The batch in the form {@code key} names, made by {@code make} the first time; freed by {@code release}. */
    @SuppressWarnings("unchecked")
    public <T> T form(Object key, Supplier<T> make, Consumer<T> release) {
        Object form = forms.get(key);
        if (form == null) {
            T made = make.get();
            forms.put(key, made);
            releases.add(() -> release.accept(made));
            return made;
        }
        return (T) form;
    }

    /** Frees the shared forms; peers that queued them hold their own references. */
    public void release() {
        releases.forEach(Runnable::run);
        releases.clear();
        forms.clear();
    }
}
