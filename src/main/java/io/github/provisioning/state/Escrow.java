package io.github.provisioning.state;

import java.time.Instant;

/**
 * A failed object waiting in escrow for a retry in a later cycle.
 *
 * @param attempts  failed attempts since the object last succeeded (at least 1)
 * @param nextRetry when the next retry is due: the first cycle that starts at or after it retries the object; null
 *                  when it is not retried automatically ({@code permanent})
 * @param permanent no automatic retry until the object changes in the source
 */
public record Escrow(int attempts, Instant nextRetry, boolean permanent) {

    public Escrow {
        if (attempts < 1) {
            throw new IllegalArgumentException("an escrow follows at least one failed attempt");
        }
        if (permanent != (nextRetry == null)) {
            throw new IllegalArgumentException("a permanent failure has no next retry, and any other has one");
        }
    }
}
