package io.github.provisioning.cycle;

import io.github.provisioning.graph.GraphRetry;
import io.github.provisioning.state.Escrow;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One provisioning cycle while it runs: its identity, its counts and the watermark it will store. */
public final class CycleRun {

    public enum Type {
        INITIAL, INCREMENTAL,
        /** Not a cycle: one user provisioned now from the admin API, under an id of its own in the log. */
        ON_DEMAND
    }

    /**
     * The counts of a cycle report. {@code PERMANENT} counts, among the failed, those no longer retried until they
     * change in the source; {@code STAGED} the disables and deletes the deletion guard held (reported only when
     * some were).
     */
    public enum Outcome { CREATED, UPDATED, DISABLED, DELETED, SKIPPED, FAILED, PERMANENT, STAGED }

    private final String id;
    private final Type type;
    private final Instant start;
    /** A dry run: SCIM writes are answered by the engine itself and the state is a copy (see docs/cycle.md). */
    private final boolean dryRun;
    private final Map<Outcome, AtomicInteger> counts = new EnumMap<>(Outcome.class);
    private final AtomicInteger pages = new AtomicInteger();
    private volatile String userDeltaLink;
    /** The users delta round this cycle reads: started by it, or resumed where an earlier cycle stopped. */
    private final RoundProgress usersRound = new RoundProgress();
    private final Map<Outcome, AtomicInteger> groupCounts = new EnumMap<>(Outcome.class);
    private volatile boolean groupsProvisioned;
    private volatile String groupDeltaLink;
    private final RoundProgress groupsRound = new RoundProgress();
    private final AtomicInteger graphThrottled = new AtomicInteger();
    private final AtomicInteger graphRetried = new AtomicInteger();
    private final AtomicLong graphWaitedMillis = new AtomicLong();
    private final CycleProgress progress = new CycleProgress(this);

    public CycleRun(String id, Type type, Instant start) {
        this(id, type, start, false);
    }

    public CycleRun(String id, Type type, Instant start, boolean dryRun) {
        this.id = id;
        this.type = type;
        this.start = start;
        this.dryRun = dryRun;
        usersRound.start(id, type == Type.INITIAL);
        for (Outcome outcome : Outcome.values()) {
            counts.put(outcome, new AtomicInteger());
            groupCounts.put(outcome, new AtomicInteger());
        }
    }

    public String id() {
        return id;
    }

    public Type type() {
        return type;
    }

    public Instant start() {
        return start;
    }

    public boolean dryRun() {
        return dryRun;
    }

    public void count(Outcome outcome) {
        counts.get(outcome).incrementAndGet();
    }

    /** A failed user: counted as failed, and as permanent too when it is no longer retried. */
    public void countFailure(Escrow escrow) {
        count(Outcome.FAILED);
        if (escrow.permanent()) {
            count(Outcome.PERMANENT);
        }
    }

    public Map<Outcome, Integer> counts() {
        return snapshot(counts);
    }

    /** The counts now; STAGED only when the deletion guard held some, so a report without it reads as before. */
    private static Map<Outcome, Integer> snapshot(Map<Outcome, AtomicInteger> counts) {
        Map<Outcome, Integer> snapshot = new EnumMap<>(Outcome.class);
        counts.forEach((k, v) -> {
            if (k != Outcome.STAGED || v.get() > 0) {
                snapshot.put(k, v.get());
            }
        });
        return snapshot;
    }

    /** How far the cycle is: users processed of its scope (initial) or of the changes read (incremental). */
    public CycleProgress progress() {
        return progress;
    }

    public int pageRead() {
        return pages.incrementAndGet();
    }

    public int pages() {
        return pages.get();
    }

    /** The users delta round this cycle reads. */
    public RoundProgress usersRound() {
        return usersRound;
    }

    /**
     * The id of the users delta round this cycle reads, kept across the cycles that read one round. What is marked
     * per round (the users its pages listed) is keyed by this id.
     */
    public String roundId() {
        return usersRound.id();
    }

    /** True when the users round reads every user: its end reconciles every link. */
    public boolean fullRound() {
        return usersRound.full();
    }

    /** The stored users round this cycle goes on with; null when it started its round itself. */
    public DeltaRound resumed() {
        return usersRound.resumed();
    }

    public String userDeltaLink() {
        return userDeltaLink;
    }

    public void userDeltaLink(String deltaLink) {
        this.userDeltaLink = deltaLink;
    }

    /** Counts one group operation; a cycle reports groups apart from users. */
    public void countGroup(Outcome outcome) {
        groupCounts.get(outcome).incrementAndGet();
    }

    public void countGroupFailure(Escrow escrow) {
        countGroup(Outcome.FAILED);
        if (escrow.permanent()) {
            countGroup(Outcome.PERMANENT);
        }
    }

    public Map<Outcome, Integer> groupCounts() {
        return snapshot(groupCounts);
    }

    /** True once this cycle reads groups (the profile provisions them). */
    public boolean groupsProvisioned() {
        return groupsProvisioned;
    }

    public void groupsProvisioned(boolean provisioned) {
        this.groupsProvisioned = provisioned;
    }

    /** The groups delta's deltaLink this cycle reached, stored with the users' when the cycle completes. */
    public String groupDeltaLink() {
        return groupDeltaLink;
    }

    public void groupDeltaLink(String deltaLink) {
        this.groupDeltaLink = deltaLink;
    }

    /** The groups delta round this cycle reads; what it stages is marked with its id. */
    public RoundProgress groupsRound() {
        return groupsRound;
    }

    /** A Graph answer that could be retried: counted for the report as throttled, retried and waited for. */
    public void graphRetry(GraphRetry.Retryable answer) {
        if (answer.throttled()) {
            graphThrottled.incrementAndGet();
        }
        if (answer.retried()) {
            graphRetried.incrementAndGet();
            graphWaitedMillis.addAndGet(answer.delay().toMillis());
        }
    }

    public CycleReport.GraphRetries graphRetries() {
        return new CycleReport.GraphRetries(graphThrottled.get(), graphRetried.get(), graphWaitedMillis.get() / 1000.0);
    }
}
