package io.github.provisioning.cycle;

import io.github.provisioning.state.Escrow;
import java.time.Duration;
import java.time.Instant;

/**
 * When a failed object is tried again (issue 6, escrow): the first retry is in the next cycle; after the n-th
 * failed attempt (n &ge; 2) the retry waits {@code baseDelay} &times; 2<sup>n-2</sup>, at most {@code maxDelay}.
 * After {@code maxAttempts} failed attempts, or at once for a failure the target declares permanent, the object is
 * not retried until it changes in the source (its change comes in the delta and is processed regardless).
 */
public record RetrySchedule(Duration baseDelay, Duration maxDelay, int maxAttempts) {

    /** The defaults of {@code provisioning.escrow.*}: every next cycle, at most 10 attempts. */
    public static final RetrySchedule DEFAULT = new RetrySchedule(Duration.ZERO, Duration.ofHours(24), 10);

    public RetrySchedule {
        if (baseDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("escrow delays cannot be negative");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("provisioning.escrow.max-attempts must be at least 1");
        }
    }

    /**
     * The escrow after one more failed attempt.
     *
     * @param previousAttempts failed attempts before this one (0 after a success)
     * @param permanentFailure the target declared this failure permanent
     * @param now              when the attempt failed
     */
    public Escrow afterFailure(int previousAttempts, boolean permanentFailure, Instant now) {
        int attempts = previousAttempts + 1;
        if (permanentFailure || attempts >= maxAttempts) {
            return new Escrow(attempts, null, true);
        }
        return new Escrow(attempts, now.plus(delay(attempts)), false);
    }

    /** The wait after the given failed attempt. */
    Duration delay(int attempts) {
        if (attempts < 2 || baseDelay.isZero()) {
            return Duration.ZERO;
        }
        Duration delay = baseDelay;
        for (int i = 2; i < attempts && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    /** The log line's reason for a failure that is no longer retried automatically. */
    static String permanentReason(Escrow escrow, boolean declaredByTarget, String objectType) {
        String attempts = escrow.attempts() + " failed attempt" + (escrow.attempts() == 1 ? "" : "s");
        return "permanent failure after " + attempts
                + (declaredByTarget ? " (the target rejected the data)" : "")
                + ": not retried until the " + objectType + " changes in Entra ID";
    }
}
