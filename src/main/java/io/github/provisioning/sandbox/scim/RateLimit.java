package io.github.provisioning.sandbox.scim;

/**
 * A token bucket: {@code perSecond} tokens a second, holding at most one second's worth (at least one token), so a target that was idle
 * accepts a one-second burst and then the steady rate.
 */
final class RateLimit {

    private final double perSecond;
    private final double capacity;
    private double tokens;
    private long refilledAt = System.nanoTime();

    RateLimit(double perSecond) {
        this.perSecond = perSecond;
        this.capacity = Math.max(1, perSecond);
        this.tokens = capacity;
    }

    /** Takes a token when one is there; {@code false} means the request is over the limit. */
    synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - refilledAt) * perSecond / 1e9);
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
