package io.github.provisioning.cycle;

import io.github.provisioning.cluster.JobLease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the job may run a cycle now: this node runs the job (in a cluster, it holds the job's lease), no cycle runs, a quarantined job's next attempt is due, and no disables or
 * deletes are held for an admin. The gate that refuses logs why.
 */
public final class CycleGate {

    private static final Logger LOG = LoggerFactory.getLogger(CycleGate.class);

    private final JobLease lease;
    private final Cycles cycles;
    private final Quarantine quarantine;
    private final DeletionGuard deletionGuard;

    public CycleGate(JobLease lease, Cycles cycles, Quarantine quarantine, DeletionGuard deletionGuard) {
        this.lease = lease;
        this.cycles = cycles;
        this.quarantine = quarantine;
        this.deletionGuard = deletionGuard;
    }

    /** True when a cycle may start; asks the gates in this order and stops at the first that refuses. */
    public boolean open() {
        return leaseHeld() && cycles.idle() && quarantine.due() && deletionGuard.noneHeld();
    }

    private boolean leaseHeld() {
        if (lease.held()) {
            return true;
        }
        LOG.info("Cycle skipped: node {} does not run this job ({})", lease.nodeId(),
                lease.holder().map(node -> "node " + node + " does").orElse("no node holds its lease yet"));
        return false;
    }
}
