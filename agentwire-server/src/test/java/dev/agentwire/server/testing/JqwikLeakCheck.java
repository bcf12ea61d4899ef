package dev.agentwire.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.lifecycle.AroundContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;

/**
 * {@link LeakCheck} for jqwik test classes, which JUnit Jupiter's extensions do not reach: installs the
 * recording leak detector before the class runs (so it is in place even when jqwik's engine runs before
 * Jupiter's) and fails the class when Netty reported a leak. Use with {@code @AddLifecycleHook}.
 */
public final class JqwikLeakCheck implements AroundContainerHook {

    @Override
    public void beforeContainer(ContainerLifecycleContext context) {
        new LeakCheck(); // its static initializer installs the recording detector
    }

    @Override
    public void afterContainer(ContainerLifecycleContext context) {
        try {
            assertThat(LeakCheck.collect())
                    .as("Netty buffer leaks in " + context.label())
                    .isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while looking for leaks", e);
        }
    }

    @Override
    public int beforeContainerProximity() {
        return -100; // before the class's own @BeforeContainer (which may start a hub)
    }

    @Override
    public int afterContainerProximity() {
        return -100; // after the class's own @AfterContainer (which stops it)
    }
}
