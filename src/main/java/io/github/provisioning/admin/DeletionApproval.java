package io.github.provisioning.admin;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.github.provisioning.cycle.Cycles;
import io.github.provisioning.state.StagedDeletion;
import io.github.provisioning.state.StagedDeletionStore;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin's side of Entra's accidental-deletions prevention: see the disables and deletes a cycle held, approve
 * them (the next cycle sends them whatever the threshold) or reject them (they are dropped, unsent); either
 * resumes the job, and the route asks for a cycle at once. Both are refused while a cycle runs, so a cycle's
 * release step and an admin never work on the same rows.
 */
public final class DeletionApproval {

    private static final Logger LOG = LoggerFactory.getLogger(DeletionApproval.class);

    private final Cycles cycles;
    private final StagedDeletionStore state;
    private final JobControl job;
    private final int threshold;

    public DeletionApproval(Cycles cycles, StagedDeletionStore state, JobControl job, int threshold) {
        this.cycles = cycles;
        this.state = state;
        this.job = job;
        this.threshold = threshold;
    }

    /**
     * The held deletions: how many (users and groups), since when, the threshold, and the first {@code limit}
     * (default 100), users then groups as a cycle releases them; each names its object type.
     */
    public ApiReply held(@Header("limit") String limit) {
        int listed = ListLimit.parse(limit);
        if (listed < 0) {
            return ListLimit.invalid();
        }
        List<HeldDeletion> objects = new ArrayList<>();
        for (String objectType : StagedDeletion.OBJECT_TYPES) {
            if (objects.size() == listed) {
                break;  // the list is full (and a JDBC max-rows of 0 would mean every row)
            }
            for (StagedDeletion row : state.stagedDeletions(objectType, true, false, null, listed - objects.size())) {
                objects.add(new HeldDeletion(row.objectType(), row.sourceId(), row.sourceIdentity(), row.targetId(),
                        row.action(), row.reason(), row.cycleId(), row.stagedAt().toString()));
            }
        }
        return new ApiReply(200, new HeldDeletions(summary(state.heldDeletions(), threshold), objects));
    }

    /** {@code held}, {@code threshold} and {@code since} (null when none is held), as the status shows them. */
    public record HeldSummary(int held, int threshold, String since) {
    }

    /** The summary, then the first held disables and deletes. */
    public record HeldDeletions(@JsonUnwrapped HeldSummary summary, List<HeldDeletion> objects) {
    }

    public record HeldDeletion(String objectType, String sourceId, String sourceIdentity, String targetId,
                               String action, String reason, String cycleId, String stagedAt) {
    }

    /** Approves every held deletion and resumes the job; 409 while a cycle runs or when nothing is held. */
    public ApiReply approve() throws Exception {
        return decide("approve", true);
    }

    /** Drops every held deletion unsent and resumes the job; 409 while a cycle runs or when nothing is held. */
    public ApiReply reject() throws Exception {
        return decide("reject", false);
    }

    private ApiReply decide(String what, boolean approve) throws Exception {
        if (!cycles.pauseCycles()) {
            return JobControl.cycleRunning(what);
        }
        int decided;
        try {
            decided = approve ? state.approveHeldDeletions() : state.rejectHeldDeletions();
        } finally {
            cycles.resumeCycles();
        }
        if (decided == 0) {
            return ApiErrors.error(409, "No disables or deletes are held; there is nothing to " + what);
        }
        LOG.info("{} held disables and deletes {} from the admin API; the job resumes", decided,
                approve ? "approved (the next cycle sends them)" : "rejected (dropped unsent)");
        ApiReply started = job.start();
        if (!(started.body() instanceof JobControl.JobStatus status)) {
            return started;  // deletions were held again meanwhile: the refusal says so
        }
        return new ApiReply(200, approve ? new Approved(decided, status) : new Rejected(decided, status));
    }

    /** How many held disables and deletes were approved, and the job's status once resumed. */
    public record Approved(int approved, JobControl.JobStatus status) {
    }

    public record Rejected(int rejected, JobControl.JobStatus status) {
    }

    static HeldSummary summary(StagedDeletion.Held held, int threshold) {
        return new HeldSummary(held.count(), threshold, held.since() == null ? null : held.since().toString());
    }
}
