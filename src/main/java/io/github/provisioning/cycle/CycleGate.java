package io.github.provisioning.cycle;

/**
 * Whether the job may run a cycle now: no cycle runs, a quarantined job's next attempt is due, and no disables or
 * deletes are held for an admin. The gate that refuses logs why.
 */
public final class CycleGate {

    private final Cycles cycles;
    private final Quarantine quarantine;
    private final DeletionGuard deletionGuard;

    public CycleGate(Cycles cycles, Quarantine quarantine, DeletionGuard deletionGuard) {
        this.cycles = cycles;
        this.quarantine = quarantine;
        this.deletionGuard = deletionGuard;
    }

    /** True when a cycle may start; asks the gates in this order and stops at the first that refuses. */
    public boolean open() {
        return cycles.idle() && quarantine.due() && deletionGuard.noneHeld();
    }
}
