package io.github.provisioning.boot;

import java.util.concurrent.CountDownLatch;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/** Tells when the Camel context has stopped: after a {@code provisioning.once} cycle the engine stops it. */
public class CamelStopped extends EventNotifierSupport {

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStoppedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        stopped.countDown();
    }

    public void await() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
