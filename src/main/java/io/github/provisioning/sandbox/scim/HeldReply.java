package io.github.provisioning.sandbox.scim;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reply the sandbox holds back ({@link ScimSandbox#holdReply}): the request is applied and recorded as usual,
 * and its answer waits until {@link #release()}. A test kills the client meanwhile, to stop it exactly between a
 * write the target made and the client learning of it (a {@code kill -9} after a POST, before the link is saved).
 */
public final class HeldReply {

    private final String method;
    private final String path;
    private final AtomicInteger toLetPass;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile RecordedRequest request;

    HeldReply(String method, String path, int letPass) {
        if (letPass < 0) {
            throw new IllegalArgumentException("letPass must not be negative but was " + letPass);
        }
        this.method = method;
        this.path = path;
        this.toLetPass = new AtomicInteger(letPass);
    }

    /** Whether this request is the one to hold: the right method and path, after the ones to let pass. */
    boolean takes(String requestMethod, String requestPath) {
        return method.equals(requestMethod) && path.equals(requestPath) && toLetPass.getAndDecrement() == 0;
    }

    /** The request was applied and recorded; its answer waits for {@link #release()} (or the sandbox's close). */
    void hold(RecordedRequest applied) throws InterruptedException {
        request = applied;
        reached.countDown();
        released.await();
    }

    /** Whether the held request has arrived and been applied. */
    public boolean reached() {
        return reached.getCount() == 0;
    }

    /** The held request as recorded, or null before it arrived. */
    public RecordedRequest request() {
        return request;
    }

    /** Sends the held answer (to a client that may be gone), or, before the request arrived, holds nothing. */
    public void release() {
        toLetPass.set(-1);
        released.countDown();
    }
}
