package io.github.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;

/**
 * Holds every cycle of the running engine after it has read the users delta and before it reconciles scope
 * changes, until {@link #release()}: a cycle that is certainly in progress, with pages read and counts so far.
 */
final class CycleHold implements AutoCloseable {

    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    static CycleHold install(CamelContext context) throws Exception {
        return before(context, "reconcile-scope-changes");
    }

    /**
     * Holds every cycle before its step that calls the route {@code step}, e.g. before it indexes the target's users
     * ({@code index-target-users}). The job's route definitions keep the template's placeholder for the job.
     */
    static CycleHold before(CamelContext context, String step) throws Exception {
        CycleHold hold = new CycleHold();
        AdviceWith.adviceWith(context, "default.run-cycle", route -> route.weaveByToUri("direct:.*\\." + step)
                .before().process(exchange -> {
                    hold.reached.countDown();
                    hold.released.await(60, TimeUnit.SECONDS);
                }));
        return hold;
    }

    /**
     * Holds the first cycle of the running engine in the middle of its users delta: after its first page's users
     * have their outcome, before it asks Graph for the second page.
     */
    static CycleHold afterFirstUsersPage(CamelContext context) throws Exception {
        CycleHold hold = new CycleHold();
        AtomicInteger pages = new AtomicInteger();
        AdviceWith.adviceWith(context, "default.read-user-changes", route -> route.weaveByToUri("direct:.*\\.graph-get")
                .before().process(exchange -> {
                    if (pages.incrementAndGet() == 2) {
                        hold.reached.countDown();
                        hold.released.await(60, TimeUnit.SECONDS);
                    }
                }));
        return hold;
    }

    void awaitHeldCycle() throws InterruptedException {
        assertThat(reached.await(60, TimeUnit.SECONDS)).as("a cycle reached the hold").isTrue();
    }

    void release() {
        released.countDown();
    }

    @Override
    public void close() {
        release();
    }
}
