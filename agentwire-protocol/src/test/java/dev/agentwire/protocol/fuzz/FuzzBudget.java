package dev.agentwire.protocol.fuzz;

import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

/**
 * The size and the time bound of a fuzz property. A property's own {@code tries} is its CI size; the system
 * property {@code fuzz.scale} (default 1) multiplies it for a long run. Every try runs on a runner thread and
 * fails when it has not finished within {@code fuzz.tryTimeoutMs} (default 10 s): a decoder that loops forever
 * fails the property with the stuck thread's stack instead of hanging the build (the stuck thread is abandoned
 * and a new runner takes the next try).
 *
 * <p>Use with {@code @AddLifecycleHook(FuzzBudget.class)} on the test class. jqwik runs tries one at a time,
 * so one runner thread at a time suffices.
 */
public final class FuzzBudget implements AroundPropertyHook, AroundTryHook {

    /** The multiplier of every fuzz property's tries. */
    public static final int SCALE = Integer.getInteger("fuzz.scale", 1);

    /** How long one try may take. */
    public static final long TRY_TIMEOUT_MS = Long.getLong("fuzz.tryTimeoutMs", 10_000);

    private static final AtomicReference<Runner> RUNNER = new AtomicReference<>();

    /** A single daemon thread that runs tries, and that thread, for its stack when it hangs. */
    private record Runner(ExecutorService executor, AtomicReference<Thread> thread) {
        static Runner start() {
            AtomicReference<Thread> thread = new AtomicReference<>();
            ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fuzz-try");
                t.setDaemon(true);
                thread.set(t);
                return t;
            });
            return new Runner(executor, thread);
        }
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        var attributes = context.attributes();
        attributes
                .tries()
                .filter(tries -> tries > 1) // examples run once
                .ifPresent(tries -> attributes.setTries(Math.multiplyExact(tries, SCALE)));
        return property.execute();
    }

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, java.util.List<Object> params)
            throws Throwable {
        Runner runner = RUNNER.updateAndGet(r -> r == null ? Runner.start() : r);
        Future<TryExecutionResult> result = runner.executor().submit(() -> aTry.execute(params));
        try {
            return result.get(TRY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        } catch (TimeoutException e) {
            result.cancel(true);
            RUNNER.compareAndSet(runner, null);
            runner.executor().shutdownNow();
            Thread stuck = runner.thread().get();
            String stack = stuck == null
                    ? "(unknown)"
                    : Arrays.stream(stuck.getStackTrace())
                            .map(f -> "\n\tat " + f)
                            .collect(Collectors.joining());
            return TryExecutionResult.falsified(new AssertionError(
                    "the try did not finish within " + TRY_TIMEOUT_MS + " ms (fuzz.tryTimeoutMs); it was at:" + stack));
        }
    }

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS; // from the test class to its properties
    }

    @Override
    public int aroundTryProximity() {
        return -100; // outermost: the bound covers the other hooks too
    }
}
