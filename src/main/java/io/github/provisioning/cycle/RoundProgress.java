package io.github.provisioning.cycle;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A delta round as one cycle reads it, users' or groups': its id (kept across the cycles that read one round, and
 * what the round marks is keyed by it), whether it reads every object, the stored round the cycle resumed, and the
 * pages done so far.
 */
public final class RoundProgress {

    private volatile String id;
    private volatile boolean full;
    private volatile DeltaRound resumed;
    private final AtomicInteger pagesDone = new AtomicInteger();

    /** The cycle starts a round of its own; {@code full} when it reads every object. */
    public void start(String roundId, boolean readsEverything) {
        this.id = roundId;
        this.full = readsEverything;
        this.resumed = null;
        pagesDone.set(0);
    }

    /** The cycle goes on with a round an earlier cycle did not finish, at its first page not done. */
    public void resume(DeltaRound round) {
        this.id = round.id();
        this.full = round.full();
        this.resumed = round;
        pagesDone.set(round.pagesDone());
    }

    public String id() {
        return id;
    }

    /** True when the round reads every object (an initial round, or one started over): its end judges them all. */
    public boolean full() {
        return full;
    }

    /** The stored round the cycle goes on with; null when it started its round itself. */
    public DeltaRound resumed() {
        return resumed;
    }

    /** True until the cycle has done a page of the round it resumed: the next request is the stored page. */
    public boolean atResumedPage() {
        return resumed != null && pagesDone.get() == resumed.pagesDone();
    }

    /** Counts a page whose work is done; answers the pages done in the round so far. */
    public int pageDone() {
        return pagesDone.incrementAndGet();
    }

    /** The round's place after a page whose work is done, to store: its next page's link. */
    public DeltaRound next(String nextLink, int done, String configuration) {
        return new DeltaRound(id, full, nextLink, done, configuration);
    }
}
