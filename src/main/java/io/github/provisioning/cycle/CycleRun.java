package io.github.provisioning.cycle;

import io.github.provisioning.state.Escrow;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final Map<Outcome, AtomicInteger> counts = new EnumMap<>(Outcome.class);
    private final AtomicInteger pages = new AtomicInteger();
    private volatile String userDeltaLink;
    private volatile String roundId;
    private volatile boolean fullRound;
    private final Map<Outcome, AtomicInteger> groupCounts = new EnumMap<>(Outcome.class);
    private volatile boolean groupsProvisioned;
    private volatile String groupDeltaLink;
    private volatile boolean fullGroupRound;

    public CycleRun(String id, Type type, Instant start) {
        this.id = id;
        this.type = type;
        this.start = start;
        this.roundId = id;
        this.fullRound = type == Type.INITIAL;
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

    public int pageRead() {
        return pages.incrementAndGet();
    }

    public int pages() {
        return pages.get();
    }

    public String userDeltaLink() {
        return userDeltaLink;
    }

    public void userDeltaLink(String deltaLink) {
        this.userDeltaLink = deltaLink;
    }

    /**
     * The users-delta round this cycle reads: from a full {@code /users/delta} start, or from the stored deltaLink,
     * to the next deltaLink. What is marked per round (the users its pages listed) is keyed by this id.
     */
    public String roundId() {
        return roundId;
    }

    /** True when the round reads every user (no watermark, or an expired one): its end reconciles every link. */
    public boolean fullRound() {
        return fullRound;
    }

    /** The stored delta token expired: this cycle now reads a full round of its own. */
    public void startFullRound(String newRoundId) {
        this.roundId = newRoundId;
        this.fullRound = true;
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

    /** True when this cycle reads every group (no groups watermark yet, or an expired one). */
    public boolean fullGroupRound() {
        return fullGroupRound;
    }

    public void fullGroupRound(boolean full) {
        this.fullGroupRound = full;
    }
}
