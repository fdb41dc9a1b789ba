package io.github.provisioning.scim;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The one gate every SCIM request of the job passes: at most {@code concurrency} requests in flight, and at most
 * {@code requestsPerSecond} started per second (0: no limit). The rate is kept by spacing request starts evenly,
 * which holds a target's limit without bursts.
 */
public final class ScimGate {

    private final Semaphore inFlight;
    private final long intervalNanos;
    private long nextStart = System.nanoTime();

    public ScimGate(int concurrency, double requestsPerSecond) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("scim.concurrency must be at least 1");
        }
        this.inFlight = new Semaphore(concurrency, true);
        this.intervalNanos = requestsPerSecond <= 0 ? 0 : Math.round(1_000_000_000L / requestsPerSecond);
    }

    public void enter() throws InterruptedException {
        inFlight.acquire();
        try {
            if (intervalNanos > 0) {
                long wait = reserveStart();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        } catch (InterruptedException e) {
            inFlight.release();
            throw e;
        }
    }

    public void leave() {
        inFlight.release();
    }

    private synchronized long reserveStart() {
        long now = System.nanoTime();
        long start = Math.max(now, nextStart);
        nextStart = start + intervalNanos;
        return start - now;
    }
}
