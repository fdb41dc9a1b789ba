package io.github.provisioning.cycle;

import io.github.provisioning.graph.SourceChange;
import io.github.provisioning.state.ObjectType;
import io.github.provisioning.state.StagedDeletion;
import io.github.provisioning.state.StagedDeletionStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

/**
 * Entra's accidental-deletions prevention at the end of a cycle ({@code direct:release-deletions}). During the
 * cycle, {@link UserProvisioner} stages each user it would disable or delete, and {@link GroupProvisioner} each
 * group it would delete, instead of sending them. Here the staged ones are counted together (Entra: groups
 * evaluated for deletion count towards the threshold, as do disables): within {@code
 * provisioning.deletion-threshold} they are released (sent now: users, then groups), above it they are all held,
 * each logged as {@code staged-delete}, and the job pauses until an admin approves them (the next cycle sends them
 * whatever the threshold) or rejects them. Rows are read a page at a time, so a tenant of 100,000 users is never in
 * memory.
 */
public final class DeletionGuard {

    public static final String STAGED_DELETE = "staged-delete";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeletionGuard.class);
    private static final int PAGE = 500;

    private final StagedDeletionStore state;
    private final ProvisioningLog log;
    private final int threshold;
    private final int maxListed;

    /**
     * @param threshold the most disables and deletes one cycle sends on its own; 0 or less switches the guard off
     * @param maxListed how many held objects the e-mail lists ({@code notify.max-failures-listed})
     */
    public DeletionGuard(StagedDeletionStore state, ProvisioningLog log, int threshold, int maxListed) {
        this.state = state;
        this.log = log;
        this.threshold = threshold;
        this.maxListed = maxListed;
    }

    /**
     * The schedule's gate: no cycle while deletions are held, also after the engine restarted (which starts the
     * schedule again); only an approval or a rejection lets cycles run.
     */
    public boolean noneHeld() {
        int held = state.heldDeletions().count();
        if (held > 0) {
            LOG.info("Scheduled cycle skipped: {} disables and deletes are held; approve or reject them", held);
        }
        return held == 0;
    }

    /** Whether this cycle staged more disables and deletes than the threshold allows (approved ones aside). */
    public boolean aboveThreshold() {
        return threshold > 0 && state.pendingDeletions() > threshold;
    }

    /**
     * Holds every staged deletion neither held nor approved: one {@code staged-delete} line each in the
     * provisioning log, counted as staged in the cycle's report (groups as {@code groups.staged}). Call after
     * pausing the job.
     */
    public HeldDeletions hold(@ExchangeProperty("cycle") CycleRun cycle) {
        int pending = state.pendingDeletions();
        List<StagedDeletion> first = new ArrayList<>();
        int users = 0;
        int groups = 0;
        for (String objectType : StagedDeletion.OBJECT_TYPES) {
            for (Iterator<StagedDeletion> rows = pages(objectType, false, true); rows.hasNext(); ) {
                StagedDeletion row = rows.next();
                log.write(logEntry(cycle, row, pending));
                if (ObjectType.GROUP.equals(objectType)) {
                    cycle.countGroup(CycleRun.Outcome.STAGED);
                    groups++;
                } else {
                    cycle.count(CycleRun.Outcome.STAGED);
                    users++;
                }
                if (first.size() < maxListed) {
                    first.add(row);
                }
            }
        }
        state.holdPendingDeletions();
        StagedDeletion.Held held = state.heldDeletions();
        return new HeldDeletions(cycle.id(), users, groups, held.count(), threshold, held.since(), first);
    }

    private LogEntry logEntry(CycleRun cycle, StagedDeletion row, int pending) {
        String reason = "held: " + pending + " disables and deletes in this cycle are more than "
                + "provisioning.deletion-threshold (" + threshold + "); planned " + row.action() + ": "
                + row.reason();
        return new LogEntry(Instant.now(), cycle.id(), UUID.randomUUID().toString(), row.objectType(), STAGED_DELETE,
                "skipped", row.sourceId(), row.sourceIdentity(), row.targetId(), reason, List.of(), null, 0,
                List.of(), null, cycle.dryRun());
    }

    /** The staged user disables and deletes to send now (within the threshold, or approved), a page at a time. */
    public Iterator<StagedDeletion> usersToRelease() {
        return pages(ObjectType.USER, false, false);
    }

    /** The staged group deletes to send now, a page at a time; released after the users'. */
    public Iterator<StagedDeletion> groupsToRelease() {
        return pages(ObjectType.GROUP, false, false);
    }

    /** The change a released user deletion is provisioned as; its stored action is what gets planned. */
    public SourceChange change(@Body StagedDeletion row) {
        SourceChange.Kind kind = SourceChange.Kind.valueOf(row.changeKind());
        // Out of scope by the scoping filter: a PRESENT change would promise Graph properties the row does not keep.
        return new SourceChange(row.sourceId(), null, kind == SourceChange.Kind.PRESENT
                ? SourceChange.Kind.LEFT_SCOPE : kind);
    }

    /** The group a released group deletion is provisioned as ({@code direct:provision-group} takes its id). */
    public String groupId(@Body StagedDeletion row) {
        return row.sourceId();
    }

    /** One type's staged rows in source id order, read a page at a time as consumed (rows may go meanwhile). */
    private Iterator<StagedDeletion> pages(String objectType, boolean held, boolean unapprovedOnly) {
        return new Iterator<>() {
            private List<StagedDeletion> page = List.of();
            private int next;
            private String after;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next < page.size()) {
                    return true;
                }
                if (done) {
                    return false;
                }
                page = state.stagedDeletions(objectType, held, unapprovedOnly, after, PAGE);
                next = 0;
                done = page.size() < PAGE;
                if (!page.isEmpty()) {
                    after = page.get(page.size() - 1).sourceId();
                }
                return !page.isEmpty();
            }

            @Override
            public StagedDeletion next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.get(next++);
            }
        };
    }
}
